import logging

logger = logging.getLogger(__name__)


class LoggingMailer:
    """Records outgoing mail in the log; swap in an SMTP or provider client in wiring."""

    def send_welcome(self, email: str, full_name: str) -> None:
        logger.info("Welcome email sent to %s", email, extra={"full_name": full_name})
