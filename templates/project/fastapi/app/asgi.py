"""ASGI entry point: `gunicorn -c gunicorn.conf.py app.asgi:app` (uvicorn workers)."""

from app.factory import create_app

app = create_app()
