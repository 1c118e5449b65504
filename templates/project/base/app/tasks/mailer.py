from typing import Protocol


class Mailer(Protocol):
    """Delivers one plain-text email; raises when the mail server cannot take it."""

    def send(self, to: str, subject: str, body: str) -> None: ...
