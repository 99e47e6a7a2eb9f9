"""ASGI entry point for uvicorn: ``server.asgi:app``."""

from server.main import create_app

app = create_app()
