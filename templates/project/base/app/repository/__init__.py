"""Data access: repository protocols and their SQLAlchemy / Redis implementations."""
