"""``AuthService`` over gRPC (``myservice.v1.AuthService``), for a layered REST process.

``authenticate`` checks the access token's signature and expiry here, without a call; every call
forwards the request's ``authorization`` header, and the gRPC process checks the token again (and
that its user still exists and is active) on every protected method, so a deleted or deactivated
user is refused as in a monolith. Register and Login send the REST client's address as
``x-client-address``, so that the gRPC process limits the client, not this process.
Adding a method to the service is adding a method here: one ``self._call(...)`` line and the
conversions (``to_message`` / ``from_message``).
"""

from __future__ import annotations

from app.core.client_address import CLIENT_ADDRESS_KEY
from app.core.security import TokenService, TokenType
from app.dto.auth_dto import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserResponse,
)
from app.grpc.client.channel import ChannelPool
from app.grpc.client.messages import dto_values, from_message, to_message
from app.grpc.generated.myservice.v1 import auth_pb2, auth_pb2_grpc


class AuthServiceClient:
    def __init__(self, channels: ChannelPool, tokens: TokenService) -> None:
        self._channels = channels
        self._stubs = channels.stubs(auth_pb2_grpc.AuthServiceStub)
        self._tokens = tokens

    def register(self, data: RegisterRequest, client_address: str | None = None) -> UserResponse:
        request = to_message(auth_pb2.RegisterRequest, dto_values(data))
        reply = self._channels.call(
            self._stubs,
            lambda s: s.Register,
            request,
            idempotent=False,
            metadata=_client_metadata(client_address),
        )
        return from_message(UserResponse, reply)

    def login(self, data: LoginRequest, client_address: str | None = None) -> TokenPair:
        request = to_message(auth_pb2.LoginRequest, dto_values(data))
        reply = self._channels.call(
            self._stubs,
            lambda s: s.Login,
            request,
            idempotent=False,
            metadata=_client_metadata(client_address),
        )
        return from_message(TokenPair, reply)

    def refresh(self, data: RefreshRequest) -> TokenPair:
        request = to_message(auth_pb2.RefreshRequest, dto_values(data))
        reply = self._channels.call(self._stubs, lambda s: s.Refresh, request, idempotent=False)
        return from_message(TokenPair, reply)

    def get_user(self, user_id: int) -> UserResponse:
        """The caller's own user (``Me``): the only user a REST view asks for."""
        request = auth_pb2.MeRequest()
        reply = self._channels.call(self._stubs, lambda s: s.Me, request, idempotent=True)
        return from_message(UserResponse, reply)

    def update_me(self, user_id: int, data: UpdateMeRequest) -> UserResponse:
        """The caller's own account (``UpdateMe``): the forwarded token says whose."""
        values = dto_values(data)
        cleared = [name for name, value in values.items() if value is None]
        request = to_message(auth_pb2.UpdateMeRequest, {**values, "clear": cleared})
        reply = self._channels.call(self._stubs, lambda s: s.UpdateMe, request, idempotent=False)
        return from_message(UserResponse, reply)

    def authenticate(self, access_token: str) -> int:
        return self._tokens.decode(access_token, TokenType.ACCESS)


def _client_metadata(client_address: str | None) -> tuple[tuple[str, str], ...]:
    """The REST client's address for the gRPC process's rate limits, which believe it from the
    peers of `GRPC_TRUSTED_FORWARDERS` only."""
    return () if client_address is None else ((CLIENT_ADDRESS_KEY, client_address),)
