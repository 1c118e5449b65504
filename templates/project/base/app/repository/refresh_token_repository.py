from datetime import datetime
from typing import Protocol


class RefreshTokenRepository(Protocol):
    def claim(self, token_id: str, expires_at: datetime) -> bool:
        """Record the token id as used; False when it had already been claimed."""
        ...

    def remove_expired(self, now: datetime) -> int:
        """Forget token ids that expired at or before `now`; return how many were removed."""
        ...
