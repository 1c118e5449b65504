from typing import cast

from flask import Flask, current_app

from app.wiring import Container

EXTENSION_KEY = "container"


def init_container(app: Flask, container: Container) -> None:
    app.extensions[EXTENSION_KEY] = container


def current_container() -> Container:
    """The container of the app serving the current request."""
    return cast(Container, current_app.extensions[EXTENSION_KEY])
