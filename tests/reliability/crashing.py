"""A crash harness: the real `visor` processes (the import, the API server, the outbox sync)
run as subprocesses and are SIGKILLed at seeded random points of a workload, then started
again; afterwards the register must hold every acknowledged change, nothing half-written
(register/consistency.py), an intact audit chain, and an index that the sync alone brings
level with the register (the reconciler, read-only, finds no drift).

Kill points are counts of committed changes observed (versions in the register for the
import, acknowledged writes for the API, outbox events applied for the sync), drawn from
`random.Random(seed)`, so a failing run can be repeated. tests/reliability/
test_crash_recovery.py runs a few points in CI; benchmarks/crash_recovery.py runs the
issue's twenty per target.
"""

import dataclasses
import json
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, func, select

import tests
from indexer.sync import Drift, rebuild, reconcile, sync
from register import store, tables
from register.audit import verify_register
from register.consistency import ConsistencyReport, check_register
from register.database import snapshot
from register.model import to_document
from search.opensearch_index import current_index, read_position
from tests.api.sign_in import PASSWORD, add_user
from tests.cli_helpers import visor_env
from visor.search_engines import SearchEngines
from visor.security import chain_signer
from visor.services import Services, build_services
from visor.settings import Settings
from visor.synthetic import write_bundle

ROOT = Path(tests.__file__).resolve().parents[1]  # where `python -m visor.cli` runs from
API_USER = "crash-officer"
API_PREFIX = "API/"  # the references the API clients write
POLL_SECONDS = 0.02
# How long convergence may take: a gap in the outbox ids (a transaction killed after taking
# its id) holds the sync for register.indexing.GAP_GRACE before it is judged rolled back.
CONVERGE_SECONDS = 120.0


@dataclass
class CrashCounts:
    """What one target's run did and found: the issue's counts."""

    target: str
    backend: str
    changes: int  # the workload's size
    kills: int = 0
    acknowledged: int = 0  # changes the killed process had committed or answered 2xx for
    found: int = 0  # of those, in the register after restart (at that version or later)
    lost: int = 0  # acknowledged, not found: must be 0
    in_doubt: int = 0  # under way at a kill (no answer): whole or absent, never half
    in_doubt_committed: int = 0
    half_written: int = 0  # consistency problems: must be 0
    problems: list[str] = field(default_factory=list)
    chain_intact: bool = False
    audit_entries: int = 0
    drift: int = -1  # after the sync alone: must be 0
    seconds: float = 0.0

    def row(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "problems"}


def kill_points(seed: int, kills: int, total: int) -> list[int]:
    """`kills` distinct counts in 1..total-1, ascending: where to kill."""
    return sorted(random.Random(seed).sample(range(1, total), min(kills, total - 1)))


@dataclass(frozen=True)
class Register:
    """One register (a home folder and a database) with its own index prefix."""

    home: Path
    database_url: str
    opensearch_url: str
    index_prefix: str

    @property
    def backend(self) -> str:
        return "sqlite" if self.database_url.startswith("sqlite") else "postgresql"

    def settings(self) -> Settings:
        return Settings(
            home=self.home,
            database_url=self.database_url,
            opensearch_url=self.opensearch_url,
            opensearch_index_prefix=self.index_prefix,
        )

    def env(self, **extra: str) -> dict[str, str]:
        return visor_env(
            self.home,
            self.database_url,
            VISOR_OPENSEARCH_URL=self.opensearch_url,
            VISOR_OPENSEARCH_INDEX_PREFIX=self.index_prefix,
            **extra,
        )


def start_visor(
    register: Register, args: list[str], log: Path, **env: str
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "visor.cli", *args],
            env=register.env(**env),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def sigkill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def _count(engine: Engine, table: Any) -> int:
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table)) or 0)
    except Exception:  # the schema may not be there yet, or a SQLite file mid-creation
        return 0


def _committed_versions(engine: Engine) -> dict[str, int]:
    n = tables.nominals
    with snapshot(engine) as connection:
        return {r: v for r, v in connection.execute(select(n.c.reference, n.c.version))}


def _later_versions(register: Register) -> list[tuple[str, int, list[str]]]:
    """(reference, version, changed fields) of every version after the first."""
    n, v = tables.nominals, tables.nominal_versions
    engine = create_engine(register.database_url)
    try:
        with snapshot(engine) as connection:
            rows = connection.execute(
                select(n.c.reference, v.c.version, v.c.changed_fields)
                .join(n, n.c.id == v.c.nominal_id)
                .where(v.c.version > 1)
            )
            return [(reference, version, list(fields)) for reference, version, fields in rows]
    finally:
        engine.dispose()


def prepare_index(register: Register) -> None:
    """Templates and an index (built from whatever the register holds) for the sync."""
    services = build_services(register.settings())
    try:
        engines = SearchEngines(services)
        engines.apply_templates()
        rebuild(engines.client, services.engine, engines.names)
    finally:
        services.close()


# --- the verdict, the same for every target ---------------------------------------------------


def judge(register: Register, counts: CrashCounts) -> None:
    """Consistency, the audit chain, then the sync alone until the index is level."""
    services = build_services(register.settings())
    try:
        with snapshot(services.engine) as connection:
            report: ConsistencyReport = check_register(
                connection, services.blob_store, services.document_store
            )
            chain = verify_register(connection, chain_signer(services.settings))
        counts.half_written = report.problem_count + len(counts.problems)
        counts.problems += report.problems[:10]
        counts.chain_intact = chain.intact
        counts.audit_entries = chain.entries
        counts.drift = converge(services).total
    finally:
        services.close()


def converge(services: Services) -> Drift:
    """Sync until nothing is pending (waiting out an outbox gap), then compare, repairing
    nothing: drift here is drift the sync failed to close."""
    engines = SearchEngines(services)
    deadline = time.monotonic() + CONVERGE_SECONDS
    while True:
        result = sync(engines.client, services.engine, engines.names, refresh=True)
        if not result.waiting_at_gap or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    return reconcile(engines.client, services.engine, engines.names, repair=False)


# --- the import ---------------------------------------------------------------------------


def crash_import(
    register: Register, changes: int, kills: int, seed: int, work: Path
) -> CrashCounts:
    """`visor import` of a bundle of `changes` new nominals, killed at `kills` points and run
    again each time (as an operator would), then once more to the end."""
    counts = CrashCounts("import", register.backend, changes)
    started = time.monotonic()
    bundle = write_bundle(work / "bundle", changes, seed=seed, photo_fraction=0.02)
    engine = create_engine(register.database_url)
    log = work / "import.log"
    acknowledged: dict[str, int] = {}
    try:
        for point in kill_points(seed, kills, changes):
            process = start_visor(
                register,
                ["import", str(bundle), "--rejects", str(work / "rejects.jsonl")],
                log,
                VISOR_IMPORT_BATCH_SIZE="50",
            )
            while _count(engine, tables.nominal_versions) < point and process.poll() is None:
                time.sleep(POLL_SECONDS)
            if process.poll() is not None:
                break  # it finished before the point: nothing left to kill
            sigkill(process)
            counts.kills += 1
            # What had committed when it died: each must survive the restart.
            acknowledged.update(_committed_versions(engine))
        final = start_visor(
            register, ["import", str(bundle), "--rejects", str(work / "rejects.jsonl")], log
        )
        final.wait(timeout=3600)
        if final.returncode != 0:
            raise AssertionError(f"the last import exited {final.returncode}: see {log}")
        after = _committed_versions(engine)
    finally:
        engine.dispose()
    counts.acknowledged = len(acknowledged)
    counts.found = sum(1 for r, v in acknowledged.items() if after.get(r, 0) >= v)
    counts.lost = counts.acknowledged - counts.found
    # Each line once; a later version only where a run added photos: a photo refused in a
    # killed run (by the photo worker's time limit, on a loaded machine) is added by the
    # next, as documented. Any other second version is a line written twice.
    expected = {json.loads(line)["reference"] for line in (bundle / "nominals.jsonl").open()}
    if set(after) != expected:
        counts.problems.append("the register does not hold each line of the bundle once")
    counts.problems += [
        f"{reference} version {version} changed {fields} on a re-run of the same bundle"
        for reference, version, fields in _later_versions(register)
        if fields != ["photos"]
    ]
    judge(register, counts)
    counts.seconds = time.monotonic() - started
    return counts


# --- the outbox sync ------------------------------------------------------------------------


def crash_sync(
    register: Register, kills: int, seed: int, work: Path, batch_size: int = 25
) -> CrashCounts:
    """`visor index sync` over every event in the outbox past the index's position, killed at
    `kills` points (counts of events applied) and started again each time."""
    services = build_services(register.settings())
    engines = SearchEngines(services)
    try:
        index = current_index(engines.client, engines.names)
        start = read_position(engines.client, engines.names, index)
        with services.engine.connect() as connection:
            pending = int(
                connection.scalar(
                    select(func.count())
                    .select_from(tables.outbox)
                    .where(tables.outbox.c.id > start)
                )
                or 0
            )
        counts = CrashCounts("sync", register.backend, pending)
        started = time.monotonic()
        log = work / "sync.log"
        applied = start
        args = ["index", "sync", "--batch-size", str(batch_size)]
        for point in kill_points(seed, kills, pending):
            process = start_visor(register, args, log)
            while process.poll() is None:
                position = read_position(engines.client, engines.names, index)
                if position - start >= point:
                    break
                time.sleep(POLL_SECONDS)
            if process.poll() is not None:
                break
            sigkill(process)
            counts.kills += 1
            # The position is written after its batch: every event up to it was applied.
            after_kill = read_position(engines.client, engines.names, index)
            if after_kill < applied:
                counts.lost += applied - after_kill  # the position went backwards
            applied = after_kill
        final = start_visor(register, args, log)
        final.wait(timeout=3600)
        if final.returncode != 0:
            raise AssertionError(f"the last sync exited {final.returncode}: see {log}")
        counts.acknowledged = applied - start
        counts.found = counts.acknowledged - counts.lost
    finally:
        services.close()
    judge(register, counts)
    counts.seconds = time.monotonic() - started
    return counts


# --- the API -------------------------------------------------------------------------------


@dataclass
class _Nominal:
    """What one client knows of a nominal it writes: the last answer it was given."""

    reference: str
    document: dict[str, Any] | None = None
    version: int = 0


@dataclass
class ApiTally:
    acknowledged: dict[str, tuple[str, int]] = field(default_factory=dict)  # tag -> (ref, version)
    in_doubt: dict[str, str] = field(default_factory=dict)  # tag -> reference
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ApiServer:
    """`visor serve` as a subprocess on one port, killed and started again at will."""

    def __init__(self, register: Register, log: Path) -> None:
        self.register, self.log, self.port = register, log, free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = start_visor(
            self.register, ["serve", "--host", "127.0.0.1", "--port", str(self.port)], self.log
        )
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, f"visor serve exited: see {self.log}"
            assert time.monotonic() < deadline, "visor serve did not start in 120 s"
            try:
                httpx.get(f"{self.base}/openapi.json", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        sigkill(self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


class ApiClient(threading.Thread):
    """Writes through the API as a user would: creates its nominals, then replaces them
    (a tag added to behavioural_traits) or adds an MO item (the tag as its text), always
    against the ETag it was given. A write with no answer (the server died) is in doubt;
    the client then reads the record again and goes on."""

    def __init__(
        self,
        server: ApiServer,
        number: int,
        references: list[str],
        tally: ApiTally,
        stop: threading.Event,
        seed: int,
    ) -> None:
        super().__init__(daemon=True)
        self.server, self.number, self.tally, self.stop = server, number, tally, stop
        self.nominals = [_Nominal(r) for r in references]
        self.rng = random.Random(seed * 1000 + number)
        self.http = httpx.Client(timeout=60)
        self.writes = 0

    def _sign_in(self) -> None:
        answer = self._retrying(
            lambda: self.http.post(
                f"{self.server.base}/api/v1/auth/token",
                data={"username": API_USER, "password": PASSWORD},
            )
        )
        self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def _retrying(self, call: Callable[[], httpx.Response]) -> httpx.Response:
        """A call that is safe to repeat (a read, a sign-in), until the server answers."""
        while True:
            try:
                answer = call()
            except httpx.TransportError:
                self.stop.wait(0.2)
                continue
            if answer.status_code >= 500:
                self.stop.wait(0.2)
                continue
            return answer

    def _refresh(self, nominal: _Nominal) -> None:
        url = f"{self.server.base}/api/v1/nominals/{nominal.reference}"
        answer = self._retrying(lambda: self.http.get(url))
        if answer.status_code == 401:
            self._sign_in()
            answer = self._retrying(lambda: self.http.get(url))
        if answer.status_code == 404:
            nominal.document, nominal.version = None, 0
            return
        assert answer.status_code == 200, answer.text
        nominal.document, nominal.version = answer.json(), int(answer.headers["etag"].strip('"'))

    def run(self) -> None:
        try:
            self._sign_in()
            while not self.stop.is_set():
                self._write(self.rng.choice(self.nominals))
        except BaseException as error:  # reported, never swallowed
            self.tally.errors.append(f"client {self.number}: {type(error).__name__}: {error}")
        finally:
            self.http.close()

    def _write(self, nominal: _Nominal) -> None:
        self.writes += 1
        tag = f"c{self.number}-w{self.writes}"
        base = f"{self.server.base}/api/v1/nominals"
        if nominal.document is None:
            body = {
                "reference": nominal.reference,
                "names": [{"surname": "Crash", "forename": f"Client{self.number}"}],
                "sex": "M",
                "behavioural_traits": [tag],
            }
            request = self.http.build_request("POST", base, json=body)
        elif self.rng.random() < 0.5:
            body = {
                **nominal.document,
                "behavioural_traits": [*nominal.document.get("behavioural_traits", []), tag],
            }
            request = self.http.build_request(
                "PUT",
                f"{base}/{nominal.reference}",
                json=body,
                headers={"If-Match": f'"{nominal.version}"'},
            )
        else:
            request = self.http.build_request(
                "POST",
                f"{base}/{nominal.reference}/mo",
                json={"text": tag},
                headers={"If-Match": f'"{nominal.version}"'},
            )
        try:
            answer = self.http.send(request)
        except httpx.TransportError:
            with self.tally.lock:
                self.tally.in_doubt[tag] = nominal.reference
            self._refresh(nominal)
            return
        if answer.status_code in (200, 201):
            version = int(answer.headers["etag"].strip('"'))
            with self.tally.lock:
                self.tally.acknowledged[tag] = (nominal.reference, version)
            nominal.document, nominal.version = answer.json(), version
        elif answer.status_code == 401:
            self._sign_in()
        elif answer.status_code >= 500:
            # The server's answer was an error, not an acknowledgement: in doubt too.
            with self.tally.lock:
                self.tally.in_doubt[tag] = nominal.reference
            self._refresh(nominal)
        else:
            raise AssertionError(
                f"{request.method} {request.url}: {answer.status_code} {answer.text}"
            )


def _tags(document: dict[str, Any]) -> set[str]:
    return {
        *document.get("behavioural_traits", []),
        *(m["text"] for m in document.get("modus_operandi", [])),
    }


def crash_api(
    register: Register, changes: int, kills: int, seed: int, work: Path, clients: int = 2
) -> CrashCounts:
    """Writes through `visor serve` by `clients` users at once, the server killed at `kills`
    counts of acknowledged writes and started again each time, until `changes` writes are
    acknowledged."""
    counts = CrashCounts("api", register.backend, changes)
    started = time.monotonic()
    add_user(register.settings(), API_USER, roles=("officer",))
    server = ApiServer(register, work / "serve.log")
    server.start()
    tally, stop = ApiTally(), threading.Event()
    per_client = max(1, changes // (10 * clients))  # about ten writes per nominal
    threads = [
        ApiClient(
            server,
            number,
            [f"{API_PREFIX}{number}/{i:05d}" for i in range(per_client)],
            tally,
            stop,
            seed,
        )
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    try:
        points = [*kill_points(seed, kills, changes), changes]
        for point in points:
            while tally.count() < point:
                if tally.errors or not any(t.is_alive() for t in threads):
                    raise AssertionError(f"the clients stopped: {tally.errors}")
                time.sleep(POLL_SECONDS)
            if point == changes:
                break
            server.kill()
            counts.kills += 1
            server.start()
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        stop.set()
        server.stop()
    assert not tally.errors, tally.errors
    services = build_services(register.settings())
    try:
        n = tables.nominals
        with snapshot(services.engine) as connection:
            versions = dict(connection.execute(select(n.c.reference, n.c.version)).tuples().all())
            present = {
                record.reference: _tags(to_document(record))
                for record in store.iter_records(connection)
                if record.reference.startswith(API_PREFIX)
            }
    finally:
        services.close()
    counts.acknowledged = len(tally.acknowledged)
    for tag, (reference, version) in tally.acknowledged.items():
        if versions.get(reference, 0) >= version and tag in present.get(reference, set()):
            counts.found += 1
    counts.lost = counts.acknowledged - counts.found
    counts.in_doubt = len(tally.in_doubt)
    counts.in_doubt_committed = sum(
        1 for tag, ref in tally.in_doubt.items() if tag in present.get(ref, set())
    )
    stray = (
        {t for tags in present.values() for t in tags}
        - set(tally.acknowledged)
        - set(tally.in_doubt)
    )
    if stray:
        counts.problems.append(
            f"{len(stray)} tag(s) in the register no client wrote: {sorted(stray)[:5]}"
        )
    judge(register, counts)
    counts.seconds = time.monotonic() - started
    return counts
