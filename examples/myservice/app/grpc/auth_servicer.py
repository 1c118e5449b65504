"""gRPC adapter of ``AuthService`` (``myservice.v1.AuthService``).

Requests are validated as the same DTOs the REST API uses; responses are built from the DTOs the
service returns. Errors are raised, never answered here: the error interceptor maps them.
"""

from __future__ import annotations

import grpc

from app.core.client_address import CLIENT_ADDRESS_KEY, grpc_client, parse_networks
from app.core.errors import ValidationFailedError
from app.dto.auth_dto import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserResponse,
)
from app.dto.validation import parse_dto
from app.grpc.convert import message_to_dict, to_dto, to_timestamp
from app.grpc.generated.myservice.v1 import auth_pb2, auth_pb2_grpc
from app.grpc.interceptors import current_user_id
from app.service.auth_service import AuthService

# DTO -> proto, one function per response DTO. Requests go the other way through `to_dto`.


def user_to_proto(user: UserResponse) -> auth_pb2.User:
    return auth_pb2.User(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        is_active=user.is_active,
        created_at=to_timestamp(user.created_at),
    )


def token_pair_to_proto(tokens: TokenPair) -> auth_pb2.TokenPair:
    return auth_pb2.TokenPair(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in,
    )


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    """Register, Login and Refresh are public; Me and UpdateMe serve the caller of the token.

    Register and Login are rate limited per client: the peer, or the client address that a
    peer in `trusted_forwarders` (the layered REST processes) sends as `x-client-address`.
    """

    def __init__(self, auth_service: AuthService, trusted_forwarders: str = "") -> None:
        self._auth_service = auth_service
        self._trusted_forwarders = parse_networks(trusted_forwarders)

    def Register(
        self, request: auth_pb2.RegisterRequest, context: grpc.ServicerContext
    ) -> auth_pb2.User:
        user = self._auth_service.register(
            to_dto(RegisterRequest, request), self._client_address(context)
        )
        return user_to_proto(user)

    def Login(
        self, request: auth_pb2.LoginRequest, context: grpc.ServicerContext
    ) -> auth_pb2.TokenPair:
        tokens = self._auth_service.login(
            to_dto(LoginRequest, request), self._client_address(context)
        )
        return token_pair_to_proto(tokens)

    def Refresh(
        self, request: auth_pb2.RefreshRequest, context: grpc.ServicerContext
    ) -> auth_pb2.TokenPair:
        return token_pair_to_proto(self._auth_service.refresh(to_dto(RefreshRequest, request)))

    def Me(self, request: auth_pb2.MeRequest, context: grpc.ServicerContext) -> auth_pb2.User:
        return user_to_proto(self._auth_service.get_user(current_user_id()))

    def UpdateMe(
        self, request: auth_pb2.UpdateMeRequest, context: grpc.ServicerContext
    ) -> auth_pb2.User:
        data = message_to_dict(request)
        for name in data.pop("clear", []):
            if name in data:
                raise ValidationFailedError.from_fields({name: ["Both set and cleared."]})
            data[name] = None
        changes = parse_dto(UpdateMeRequest, data)
        return user_to_proto(self._auth_service.update_me(current_user_id(), changes))

    def _client_address(self, context: grpc.ServicerContext) -> str | None:
        forwarded = next(
            (
                value
                for key, value in context.invocation_metadata()
                if key == CLIENT_ADDRESS_KEY and isinstance(value, str)
            ),
            None,
        )
        return grpc_client(context.peer(), forwarded, self._trusted_forwarders)
