"""Service package: REST and gRPC adapters over one service layer."""
