"""How long the results page takes for the demo register, against the bare JSON search of
the same description in the same run (both over HTTP from the same server).

    python -m benchmarks.web_latency [--size 3000] [--home DIR] [--rounds 30]

Builds the demo register with `visor demo --no-serve` (or reuses one already built in
--home), serves it with uvicorn as `visor demo` does, signs in as the demo's GMP officer and
times, for descriptions of demo nominals: GET /search?text=... (parse, search, audit write,
the page with its waterfalls and body outlines; not the thumbnails, fetched afterwards by
the browser) and POST /api/v1/search with the same text. Prints medians, 90th percentiles
and the ratio. Nothing is mocked.
"""

import argparse
import contextlib
import io
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from api.app import create_app
from visor.cli import main as visor
from visor.demo import witness_description
from visor.settings import Settings


def _demo(home: Path, size: int) -> dict[str, str]:
    """The demo's passwords (kept beside it, as the demo prints them only once)."""
    saved = home / "benchmark-passwords.json"
    if not saved.exists():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = visor(["demo", "--size", str(size), "--home", str(home), "--no-serve", "--json"])
        if code != 0:
            sys.exit(f"visor demo failed ({code})")
        users = json.loads(out.getvalue())["users"]
        saved.write_text(json.dumps({u["username"]: u["password"] for u in users}))
    passwords: dict[str, str] = json.loads(saved.read_text())
    return passwords


def _descriptions(home: Path, count: int) -> list[str]:
    with (home / "bundle" / "nominals.jsonl").open(encoding="utf-8") as lines:
        documents = [json.loads(line) for line in lines]
    live = [d for d in documents if d.get("status", "live") == "live" and d.get("marks")]
    return [witness_description(d) for d in live[:count]]


def _serve(settings: Settings) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"{statistics.median(ordered) * 1000:.0f} ms median, {p90 * 1000:.0f} ms p90"


def run(args: argparse.Namespace) -> None:
    home = args.home.expanduser().resolve()
    passwords = _demo(home, args.size)
    texts = _descriptions(home, args.rounds)
    server, base = _serve(Settings(home=home, database_url=None))
    page_times: list[float] = []
    json_times: list[float] = []
    try:
        with (
            httpx.Client(base_url=base, timeout=60) as client,
            httpx.Client(base_url=base, timeout=60) as api,
        ):
            password = passwords["gmp.officer"]
            signed = client.post("/sign-in", data={"username": "gmp.officer", "password": password})
            assert signed.status_code == 303, signed.text
            token = api.post(
                "/api/v1/auth/token", data={"username": "gmp.officer", "password": password}
            ).json()["access_token"]
            api.headers["Authorization"] = f"Bearer {token}"
            # Warm both (parser tables, the index, connections), then alternate which goes
            # first, so that neither is always the one that finds the caches cold.
            client.get("/search", params={"text": texts[0]})
            api.post("/api/v1/search", json={"text": texts[0]})
            for index, text in enumerate(texts):
                for which in ("page", "json") if index % 2 == 0 else ("json", "page"):
                    started = time.perf_counter()
                    if which == "page":
                        answer = client.get("/search", params={"text": text})
                    else:
                        answer = api.post("/api/v1/search", json={"text": text})
                    elapsed = time.perf_counter() - started
                    assert answer.status_code == 200, answer.text[-500:]
                    (page_times if which == "page" else json_times).append(elapsed)
    finally:
        server.should_exit = True
    print(f"demo register: {home} ({args.size} nominals asked), {len(texts)} descriptions")
    print(f"results page  GET /search        {_ms(page_times)}")
    print(f"JSON search   POST /api/v1/search {_ms(json_times)}")
    ratio = statistics.median(page_times) / statistics.median(json_times)
    print(f"page / JSON (medians): {ratio:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=3000, help="demo nominals (default 3000)")
    parser.add_argument(
        "--home", type=Path, default=Path("~/.cache/visor-web-benchmark"), help="demo folder"
    )
    parser.add_argument("--rounds", type=int, default=30, help="descriptions timed")
    run(parser.parse_args())
