"""What one request of the load test costs, piece by piece, in one process with nothing else
of ours running: the figures that say where the server saturates and why.

    python -m benchmarks.load.costs [--home ~/.cache/visor-load] [--rounds 20]

Against the load test's demo register (built by benchmarks/load_test.py), the same functions
the API calls: a sign-in's password check (Argon2 at this deployment's settings), a commit of
one audit entry (the write transaction every request makes at least once, fsynced), a
descriptive search on the embedded index without its audit entry, a rebuild of that index
(what every worker does after any change), a photo search with its audit entry, and a view
with its audit entry. Medians of wall-clock milliseconds, and CPU milliseconds of this
process over the same rounds (wall above CPU is waiting: for the disk, or for a core).
"""

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.load.plan import LoadPlan
from register import changes
from register.audit import AuditEvent
from register.passwords import hash_password, verify_password
from search.photo_search import DEFAULT_RADIUS, hash_query_image
from search.register_index import RegisterIndex
from search.service import run_search
from visor.audited_search import search_photos
from visor.search_engines import SearchEngines
from visor.security import argon2_parameters, operator_auditor
from visor.services import build_services
from visor.settings import Settings


def _measure(rounds: int, step: Callable[[int], object]) -> tuple[float, float]:
    walls, cpus = [], []
    for number in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        step(number)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def run(home: Path, rounds: int) -> list[tuple[str, float, float]]:
    plan = LoadPlan.model_validate_json((home / "load-plan.json").read_text("utf-8"))
    settings = Settings(home=home, database_url=None)
    services = build_services(settings)
    auditor = operator_auditor(settings)
    engine = services.engine
    parameters = argon2_parameters(settings)
    stored = hash_password("a password of the usual length", parameters)
    index = RegisterIndex(engine)
    photos = SearchEngines(services).photos()
    pictures = [Path(p).read_bytes() for p in plan.photos]
    chooser = random.Random(7)
    purpose = "load costs"

    def audit_commit(_: int) -> None:
        with engine.begin() as connection:
            auditor.record(connection, AuditEvent("search", purpose=purpose, references=[]))

    def describe(_: int) -> None:
        run_search({"text": chooser.choice(plan.descriptions)}, index, 10, None)

    def photo(_: int) -> None:
        content = chooser.choice(pictures)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "query"
            path.write_bytes(content)
            hashes = hash_query_image(path)
        search_photos(engine, auditor, photos, content, hashes, 10, DEFAULT_RADIUS, False, purpose)

    def view(_: int) -> None:
        with engine.begin() as connection:
            changes.view(connection, auditor, chooser.choice(plan.viewable), purpose)

    try:
        steps: list[tuple[str, Callable[[int], object]]] = [
            ("sign-in password check (Argon2)", lambda _: verify_password(stored, "x", parameters)),
            ("one audit entry committed", audit_commit),
            ("descriptive search, embedded (no audit)", describe),
            ("embedded index rebuilt (after any change)", lambda _: RegisterIndex(engine)),
            ("photo search + its audit entry", photo),
            ("view a record + its audit entry", view),
        ]
        return [(name, *_measure(rounds, step)) for name, step in steps]
    finally:
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=Path("~/.cache/visor-load"))
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print("| step | median wall ms | median CPU ms |\n|---|---|---|")
    for name, wall, cpu in run(args.home.expanduser().resolve(), args.rounds):
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")


if __name__ == "__main__":
    main()
