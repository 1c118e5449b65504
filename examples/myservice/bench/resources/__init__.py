"""One module per resource (written by `arcana add resource`), each defining ``RESOURCE``."""
