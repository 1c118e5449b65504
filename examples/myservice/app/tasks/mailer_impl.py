import logging

logger = logging.getLogger(__name__)


def mask_email(email: str) -> str:
    """`ada@example.com` -> `a***@example.com`: enough to correlate, not to harvest addresses."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}"


class LoggingMailer:
    """Records outgoing mail in the log; swap in an SMTP or provider client in wiring."""

    def send_welcome(self, email: str, full_name: str) -> None:
        logger.info("Welcome email sent to %s", mask_email(email))
