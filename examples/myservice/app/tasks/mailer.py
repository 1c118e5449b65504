from typing import Protocol


class Mailer(Protocol):
    def send_welcome(self, email: str, full_name: str) -> None: ...
