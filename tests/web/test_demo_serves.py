"""`visor demo` without --no-serve: the README's first command ends in a working web page."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_visor_demo_builds_the_register_then_serves_the_sign_in_page(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "VISOR_HOME": str(tmp_path / "home")}
    env.pop("VISOR_DATABASE_URL", None)
    command = [sys.executable, "-m", "visor.cli", "demo", "--size", "20", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 300
        page = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/search", follow_redirects=True)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert page is not None, f"nothing served; exit {process.poll()}"
        assert page.status_code == 200 and 'name="username"' in page.text
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
    assert "mps.officer" in out and f"serving the demo at http://127.0.0.1:{port}/" in err
