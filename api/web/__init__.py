"""The web front end: server-rendered pages over the same register and visor functions the
API and the CLI call (docs/web.md). `install_web(app, settings)` mounts it on the API app."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web.context import WebConfig
from api.web.pages import router
from visor.security import restriction_policy
from visor.settings import Settings

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI, settings: Settings) -> None:
    app.state.web = WebConfig(settings, restriction_policy(settings))
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
