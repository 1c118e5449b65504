"""The process's container and settings as FastAPI dependencies."""

from typing import Annotated, cast

from fastapi import Depends, FastAPI, Request

from app.config.settings import Settings
from app.wiring import Container


def init_container(app: FastAPI, container: Container) -> None:
    app.state.container = container


def current_container(request: Request) -> Container:
    """The container of the app serving the current request."""
    return cast(Container, request.app.state.container)


ContainerDep = Annotated[Container, Depends(current_container)]


def current_settings(container: ContainerDep) -> Settings:
    """The settings of the app serving the current request."""
    return container.settings


SettingsDep = Annotated[Settings, Depends(current_settings)]
