"""gRPC fixtures: real servers on free loopback ports and real channels to them.

The protobuf modules are generated, not committed: compiling them here, before anything below
imports ``app.grpc.generated``, lets ``pytest`` run on a fresh checkout. It is a no-op while
``app/grpc/generated`` is up to date.
"""

from app.grpc.codegen import generate

generate()

from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

import grpc  # noqa: E402
import pytest  # noqa: E402

from app.grpc.generated.myservice.v1 import auth_pb2_grpc  # noqa: E402
from app.grpc.server import create_server  # noqa: E402
from app.wiring import Container  # noqa: E402

Metadata = tuple[tuple[str, str], ...]
ServeGrpc = Callable[..., str]


def bearer(token: str) -> Metadata:
    """Call metadata that authenticates with ``token``."""
    return (("authorization", f"Bearer {token}"),)


@pytest.fixture
def serve_grpc() -> Iterator[ServeGrpc]:
    """Start a server over a container (plus extra generic handlers); returns its address."""
    servers: list[grpc.Server] = []

    def serve(container: Container, *handlers: "grpc.GenericRpcHandler[Any, Any]") -> str:
        server, port = create_server(container, 0, host="127.0.0.1", max_workers=4)
        server.add_generic_rpc_handlers(handlers)
        server.start()
        servers.append(server)
        return f"127.0.0.1:{port}"

    yield serve
    for server in servers:
        server.stop(grace=None)


@pytest.fixture
def grpc_target(container: Container, serve_grpc: ServeGrpc) -> str:
    return serve_grpc(container)


@pytest.fixture
def channel(grpc_target: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(grpc_target) as channel:
        yield channel


@pytest.fixture
def auth_stub(channel: grpc.Channel) -> auth_pb2_grpc.AuthServiceStub:
    return auth_pb2_grpc.AuthServiceStub(channel)
