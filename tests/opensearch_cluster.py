"""A real three-node OpenSearch cluster for fault tests and benchmarks.

Each node is its own JVM (`tests/opensearch_node/run.sh`, the same Maven Central runner the
single test node uses), not three nodes inside one JVM: only a process of its own can be
SIGKILLed the way a machine loses power, with nothing closed cleanly. The nodes find each
other on loopback through fixed transport ports, so a killed node restarts on its own data
folder and rejoins as the same node.

One node (the last) is reached by the others only through a `CuttableProxy` on its transport
port (its published transport address is the proxy's): cutting the proxy drops every
connection the others hold to it and refuses new ones, a network partition that leaves its
process running. Clients talk HTTP to the first node, the "entry" node, which stays up.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tests.opensearch_server import LAUNCHER, START_TIMEOUT, free_port
from tests.tcp_proxy import CuttableProxy

NODES = 3


@dataclass
class ClusterNode:
    name: str
    folder: Path
    http_port: int
    transport_port: int
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


@dataclass
class Cluster:
    name: str
    nodes: list[ClusterNode]
    proxy: CuttableProxy  # in front of the last node's transport port
    heap: str
    seed_hosts: str = ""
    events: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The entry node: the one clients talk to, never killed or partitioned."""
        return self.nodes[0].url

    @property
    def victim(self) -> ClusterNode:
        """The node the faults hit: killed, or cut off behind the proxy."""
        return self.nodes[-1]

    def start(self, node: ClusterNode) -> None:
        settings = [
            f"node.name={node.name}",
            "discovery.type=zen",
            f"discovery.seed_hosts={self.seed_hosts}",
            "cluster.initial_cluster_manager_nodes=" + ",".join(n.name for n in self.nodes),
            f"transport.port={node.transport_port}",
        ]
        if node is self.victim:
            settings.append(f"transport.publish_port={self.proxy.port}")
        node.log = (node.folder.parent / f"{node.name}.log").open("ab")
        node.process = subprocess.Popen(
            ["bash", str(LAUNCHER), str(node.folder), str(node.http_port), self.name, *settings],
            stdin=subprocess.PIPE,
            stdout=node.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "VISOR_OPENSEARCH_HEAP": self.heap},
        )

    def kill(self, node: ClusterNode) -> None:
        """SIGKILL the node's JVM (run.sh execs java, so the pid is the JVM's)."""
        assert node.process is not None
        os.kill(node.process.pid, signal.SIGKILL)
        node.process.wait()
        node.process = None
        self.events.append(f"killed {node.name}")

    def restart(self, node: ClusterNode) -> None:
        self.start(node)
        self.events.append(f"restarted {node.name}")

    def partition(self) -> None:
        self.proxy.cut()
        self.events.append(f"partitioned {self.victim.name}")

    def heal(self) -> None:
        self.proxy.restore()
        self.events.append(f"healed {self.victim.name}")

    def health(self, **wait: str) -> dict[str, Any]:
        """`_cluster/health` from the entry node, waiting as asked (wait_for_status=green...)."""
        query = "&".join(f"{key}={value}" for key, value in wait.items())
        with urllib.request.urlopen(f"{self.url}/_cluster/health?{query}", timeout=90) as answer:
            health: dict[str, Any] = json.load(answer)
            return health

    def wait_for(self, nodes: int, status: str, timeout: float = START_TIMEOUT) -> float:
        """Wait until the entry node sees `nodes` nodes and `status`; return seconds taken."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            try:
                health = self.health(
                    wait_for_nodes=str(nodes), wait_for_status=status, timeout="5s"
                )
                if not health["timed_out"]:
                    return time.monotonic() - started
            except OSError:
                pass
            self._check_running()
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster not {status} with {nodes} nodes:\n{self.log_tail()}")
            time.sleep(0.5)

    def _check_running(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is not None:
                raise RuntimeError(f"{node.name} exited:\n{self.log_tail(node)}")

    def log_tail(self, node: ClusterNode | None = None) -> str:
        chosen = [node] if node else self.nodes
        tails = []
        for each in chosen:
            if each.log:
                each.log.flush()
            path = each.folder.parent / f"{each.name}.log"
            text = path.read_text(errors="replace") if path.exists() else ""
            tails.append(f"--- {each.name}\n{text[-2000:]}")
        return "\n".join(tails)

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.stdin:
                node.process.stdin.close()  # the node stops itself at end of input
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()
            if node.log:
                node.log.close()
        self.proxy.close()


@contextmanager
def running_cluster(heap: str = "512m") -> Iterator[Cluster]:
    """Yield a green three-node cluster; stop every node and delete the data after."""
    root = Path(tempfile.mkdtemp(prefix="visor-cluster-"))
    nodes = [
        ClusterNode(f"node-{i + 1}", root / f"node-{i + 1}", free_port(), free_port())
        for i in range(NODES)
    ]
    proxy = CuttableProxy("127.0.0.1", nodes[-1].transport_port)
    cluster = Cluster(f"visor-cluster-{nodes[0].http_port}", nodes, proxy, heap)
    addresses = [f"127.0.0.1:{n.transport_port}" for n in nodes[:-1]]
    cluster.seed_hosts = ",".join([*addresses, f"127.0.0.1:{proxy.port}"])
    try:
        for node in nodes:
            cluster.start(node)
        cluster.wait_for(NODES, "green")
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
