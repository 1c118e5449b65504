from datetime import datetime


class InMemoryRefreshTokenRepository:
    """RefreshTokenRepository over a dict of token id -> expiry."""

    def __init__(self) -> None:
        self.used: dict[str, datetime] = {}

    def claim(self, token_id: str, expires_at: datetime) -> bool:
        if token_id in self.used:
            return False
        self.used[token_id] = expires_at
        return True

    def remove_expired(self, now: datetime) -> int:
        expired = [token_id for token_id, expires_at in self.used.items() if expires_at <= now]
        for token_id in expired:
            del self.used[token_id]
        return len(expired)
