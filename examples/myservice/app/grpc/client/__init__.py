"""gRPC client implementations of the service Protocols, for a layered REST process.

With ``DEPLOYMENT_MODE=layered`` the wiring binds every service Protocol to a client here: the REST
adapter calls the same methods it calls in a monolith, and the client runs them in the gRPC
process. ``channel`` holds the machinery every client shares (channels over
``GRPC_SERVICE_URLS``, round robin, retries, deadline, metadata, errors); ``messages`` converts
DTOs to request messages and responses back to DTOs; each ``*_service_client`` module is a thin
adapter of one service.
"""
