"""Flask request pipeline: container access, request ids and logging, metrics, errors, auth."""
