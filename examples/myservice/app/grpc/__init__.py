"""gRPC adapter: servicers over the service layer, interceptors, server and proto codegen.

The protobuf modules live in ``app.grpc.generated`` (``python -m app.grpc.codegen``).
"""
