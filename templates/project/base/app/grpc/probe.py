"""Health probe: exit 0 when the gRPC server reports SERVING, 1 otherwise.

``python -m app.grpc.probe [--host HOST] [--port PORT] [--service NAME]`` is the container health
check of the gRPC process (docker-compose); Kubernetes uses its built-in ``grpc`` probe instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from app.config.settings import get_settings_or_exit


def is_serving(target: str, service: str = "", timeout: float = 3.0) -> bool:
    """Whether ``service`` ("" = the whole server) at ``target`` answers SERVING."""
    with grpc.insecure_channel(target) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError:
            return False
    return bool(response.status == health_pb2.HealthCheckResponse.SERVING)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.grpc.probe", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="default: GRPC_PORT setting")
    parser.add_argument("--service", default="", help="full service name (default: the server)")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds")
    args = parser.parse_args(argv)
    port = get_settings_or_exit().grpc_port if args.port is None else args.port
    serving = is_serving(f"{args.host}:{port}", args.service, args.timeout)
    print("SERVING" if serving else "NOT SERVING")
    return 0 if serving else 1


if __name__ == "__main__":
    sys.exit(main())
