"""In-memory stand-ins for outbound ports, injected through constructors or the Container."""
