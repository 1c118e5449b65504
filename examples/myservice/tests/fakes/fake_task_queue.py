class RecordingTaskQueue:
    def __init__(self) -> None:
        self.emails: list[tuple[str, str, str]] = []

    def send_email(self, to: str, subject: str, body: str) -> None:
        self.emails.append((to, subject, body))
