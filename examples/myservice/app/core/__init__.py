"""Cross-cutting concerns shared by every layer: errors, security, logging."""
