import logging

logger = logging.getLogger(__name__)


def mask_email(email: str) -> str:
    """`ada@example.com` -> `a***@example.com`: enough to correlate, not to harvest addresses."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}"


class LoggingMailer:
    """Records outgoing mail in the log; swap in an SMTP or provider client in wiring."""

    def send(self, to: str, subject: str, body: str) -> None:
        logger.info("Email sent to %s: %s", mask_email(to), subject)
