"""Business rules: service protocols and their implementations."""
