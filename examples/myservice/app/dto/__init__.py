"""Request/response models shared by the REST and gRPC adapters (framework independent)."""
