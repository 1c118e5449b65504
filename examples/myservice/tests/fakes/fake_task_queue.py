class RecordingTaskQueue:
    def __init__(self) -> None:
        self.welcome_emails: list[int] = []

    def send_welcome_email(self, user_id: int) -> None:
        self.welcome_emails.append(user_id)
