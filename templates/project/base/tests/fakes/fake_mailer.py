class MailerUnavailableError(ConnectionError):
    pass


class RecordingMailer:
    """Records sent emails; the first `failures` attempts raise like an unreachable server."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise MailerUnavailableError("mail server unreachable")
        self.sent.append((to, subject, body))
