"""The cost of accountability: sign-in per Argon2id parameter set, an authorised search
(token, session check, search, audit write) against the bare search in the same run, and
`visor audit verify` throughput.

    python -m benchmarks.auth_audit [--nominals 3000] [--searches 200] [--entries 1000000]

Runs on an embedded SQLite register in a temporary folder (and on PostgreSQL with
--database-url). Everything measured is the real code path; nothing is mocked.
"""

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.devset import make_query
from register import agencies, users
from register.audit import AuditEvent, Auditor, append_entries, verify_register
from register.audit_chain import ChainSigner
from register.database import snapshot
from register.nif_import import BundleImporter, RejectWriter
from register.passwords import Argon2Parameters, hash_password, verify_password
from register.permissions import RestrictionPolicy
from register.principals import Principal, Role, local_operator
from register.sessions import SessionPolicy, check_session, start_session
from register.tokens import issue_token, read_token
from search.register_index import RegisterIndex
from search.service import run_search
from visor.audited_search import search_descriptions
from visor.services import build_services
from visor.settings import Settings
from visor.synthetic import NominalGenerator, write_bundle

PARAMETER_SETS = (
    Argon2Parameters(19 * 1024, 2, 1),  # OWASP's minimum
    Argon2Parameters(64 * 1024, 3, 4),  # RFC 9106 second recommendation: visor's default
    Argon2Parameters(128 * 1024, 3, 4),
    Argon2Parameters(256 * 1024, 4, 4),
)
KEY = b"benchmark key, not for any deployment, 32+ bytes"


def sign_in_costs(rounds: int) -> None:
    print("| Argon2id m (MiB) | t | p | hash ms (median) | verify ms (median) |")
    print("|---|---|---|---|---|")
    for parameters in PARAMETER_SETS:
        hashes, checks = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            stored = hash_password("a long enough password", parameters)
            hashes.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert verify_password(stored, "a long enough password", parameters)
            checks.append(time.perf_counter() - started)
        print(
            f"| {parameters.memory_kib // 1024} | {parameters.time_cost} | "
            f"{parameters.parallelism} | {statistics.median(hashes) * 1000:.0f} | "
            f"{statistics.median(checks) * 1000:.0f} |"
        )


def search_overhead(folder: Path, database_url: str | None, nominals: int, count: int) -> None:
    settings = Settings(home=folder / "home", database_url=database_url, secret_key=KEY.decode())
    services = build_services(settings)
    signer = ChainSigner(KEY)
    operator = Auditor(signer, local_operator("bench"))
    bundle = write_bundle(folder / "bundle", nominals, seed=5, photo_fraction=0.0)
    with (bundle / "nominals.jsonl").open("rb") as stream, open(folder / "r.jsonl", "w") as out:
        BundleImporter(
            services.engine, services.blob_store, RejectWriter(out), "bench", auditor=operator
        ).run(stream, bundle, "bench")
    parameters = Argon2Parameters(19 * 1024, 2, 1)
    policy = SessionPolicy()
    with services.engine.begin() as connection:
        agencies.add_agency(connection, "MPS", "Metropolitan Police", "police")
        user = users.add_user(
            connection, operator, "bench.officer", "MPS", frozenset({Role.OFFICER}),
            "a long enough password", parameters,
        )  # fmt: skip
        session = start_session(connection, user.id, "bearer", None, policy)
    token = issue_token(
        KEY, user.username, session.session_id, dt.datetime.now(dt.UTC), dt.timedelta(hours=1)
    )
    backend = RegisterIndex(services.engine)
    rng = random.Random(3)
    records = list(NominalGenerator(5).nominals(nominals))
    queries = [make_query(rng, rng.choice(records)).structured for _ in range(count)]
    run_search(queries[0], backend, 10)  # warm the index
    bare, authorised = [], []
    for query in queries:  # interleaved, so that load on the machine hits both alike
        started = time.perf_counter()
        run_search(query, backend, 10)
        bare.append(time.perf_counter() - started)
        started = time.perf_counter()
        claims = read_token(KEY, token)
        with services.engine.begin() as connection:
            assert check_session(connection, claims.session_id, policy) is not None
            who = users.user_by_id(connection, session.user_id)
        assert who is not None
        search_descriptions(
            services.engine, Auditor(signer, who.principal(), "127.0.0.1"), backend, query, 10,
            None, "benchmark", RestrictionPolicy(),
        )  # fmt: skip
        authorised.append(time.perf_counter() - started)
    b, a = statistics.median(bare) * 1000, statistics.median(authorised) * 1000
    print(f"\n{services.engine.dialect.name}, {nominals} nominals, {count} searches:")
    print("| path | median ms | p95 ms |")
    print("|---|---|---|")
    for name, times in (("bare run_search", bare), ("signed in + audited", authorised)):
        p95 = sorted(times)[int(0.95 * len(times))]
        print(f"| {name} | {statistics.median(times) * 1000:.2f} | {p95 * 1000:.2f} |")
    print(f"overhead: +{a - b:.2f} ms a search ({a / b:.2f}x the bare search)")
    services.close()


def verify_throughput(folder: Path, database_url: str | None, entries: int) -> None:
    settings = Settings(home=folder / "chain", database_url=database_url, secret_key=KEY.decode())
    services = build_services(settings)
    signer = ChainSigner(KEY, checkpoint_every=1000)
    who = Principal("bench.officer", "MPS", frozenset({Role.OFFICER}))
    rng = random.Random(9)
    started = time.perf_counter()
    batch = 20_000
    for first in range(0, entries, batch):
        events = [
            AuditEvent(
                "search",
                purpose=f"case {rng.randrange(10_000)}",
                details={"query": {"sex": "M", "text": "stocky, snake tattoo"}, "top": 10},
                references=[f"SYN{rng.randrange(10**7):07d}" for _ in range(10)],
            )
            for _ in range(min(batch, entries - first))
        ]
        with services.engine.begin() as connection:
            append_entries(connection, signer, who, "127.0.0.1", events)
    written = time.perf_counter() - started
    started = time.perf_counter()
    with snapshot(services.engine) as connection:
        report = verify_register(connection, signer)
    took = time.perf_counter() - started
    assert report.intact and report.entries == entries, report
    print(
        f"\naudit chain, {services.engine.dialect.name}: {entries} entries (search entries of 10 "
        f"references each) appended at {entries / written:,.0f}/s; verified in {took:.1f} s: "
        f"{entries / took:,.0f} entries/s"
    )
    services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--nominals", type=int, default=3000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    sign_in_costs(args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        search_overhead(Path(folder), args.database_url, args.nominals, args.searches)
        verify_throughput(Path(folder), args.database_url, args.entries)


if __name__ == "__main__":
    main()
