"""gunicorn settings of the hand-written REST service: sync workers, no access log."""

accesslog = None
control_socket_disable = True
