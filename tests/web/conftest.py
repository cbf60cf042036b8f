"""The web tests' fixtures: one demo register for the session, served by the real app
(uvicorn in a thread, on a free port), and Debian's chromium driven by Playwright."""

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.app import create_app
from tests.web.demo import DemoRegister, build_demo
from visor.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# The repository root (tests/web -> tests -> root): the CI artefacts folder is at its top.
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRegister:
    return build_demo(tmp_path_factory.mktemp("web") / "demo")


@pytest.fixture(scope="session")
def demo_settings(demo: DemoRegister) -> Settings:
    return Settings(home=demo.home, database_url=None)


@pytest.fixture
def client(demo_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(demo_settings), base_url="http://localhost") as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class NoReferrerEverywhere:
    """Sends `Referrer-Policy: no-referrer` on every answer, as a proxy or a stricter
    middleware may: the pages must still post their forms (see base.html's meta tag)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Referrer-Policy"] = "no-referrer"
            await send(message)

        await self.app(scope, receive, with_header)


def _serve(app: ASGIApp) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start", pytrace=False)
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(demo_settings: Settings) -> Iterator[str]:
    """The app as `visor serve` runs it, over the demo register."""
    yield from _serve(create_app(demo_settings))


@pytest.fixture(scope="session")
def purposeful_server(demo_settings: Settings) -> Iterator[str]:
    """The app of a deployment that requires a purpose for every search and view."""
    yield from _serve(create_app(demo_settings.model_copy(update={"require_purpose": True})))


@pytest.fixture(scope="session")
def no_referrer_server(demo_settings: Settings) -> Iterator[str]:
    yield from _serve(NoReferrerEverywhere(create_app(demo_settings)))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, never Playwright's own download; missing is a failure."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run bash tests/web/vendor.sh (.ci/run does)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"] if os.geteuid() == 0 else []
        )
        yield launched
        launched.close()
