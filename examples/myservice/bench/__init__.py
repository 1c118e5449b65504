"""`make bench`: REST (monolith and layered) against gRPC on this machine, with lean clients.

Run ``python -m bench --help`` for the options; the README explains how to read the table.
"""
