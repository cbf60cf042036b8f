"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis), signed
in as an officer: every operation gets generated requests, valid by the schema and not, and
every answer must be no 5xx and conform to the schema (status code, content type, headers,
body). Half the requests go to a register on SQLite, half to one on PostgreSQL; the number
sent is asserted, not only printed (`pytest -s` shows it per operation)."""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from api.app import create_app
from tests.api.sign_in import sign_in
from tests.conftest import minimal_record
from visor.settings import Settings

# Per operation, mode and database. Hypothesis stops sooner on an operation with few
# distinct inputs (health has one), so the totals are asserted.
EXAMPLES = 140
MIN_PER_DATABASE = 5_000
MIN_REQUESTS = 10_000
# Signing out would end the session every later request is made in.
SKIPPED = {("POST", "/api/v1/auth/logout")}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.mark.slow
def test_the_whole_api_against_its_schema(tmp_path: Path, postgres_url: str) -> None:
    counts = {}
    for name, url in (
        ("sqlite", f"sqlite:///{tmp_path / 'register.db'}"),
        ("postgresql", postgres_url),
    ):
        # schemathesis's in-process client names itself "testserver".
        register = Settings(
            home=tmp_path / name, database_url=url, trusted_hosts=("localhost", "testserver")
        )
        sent = _fuzz_register(register)
        counts[name] = sum(sent.values())
        print(f"schemathesis on {name}: {counts[name]} requests over {len(sent)} operations")
        for label, count in sorted(sent.items()):
            print(f"  {count:6d}  {label}")
        assert counts[name] >= MIN_PER_DATABASE
    assert sum(counts.values()) >= MIN_REQUESTS


def _fuzz_register(register: Settings) -> Counter[str]:
    app = create_app(register)
    sent: Counter[str] = Counter()
    # The client's context runs the app's start-up, whose state the fuzzer's client uses.
    with TestClient(app, base_url="http://localhost") as client:
        sign_in(client, register, "fuzz.officer")
        bearer = {"Authorization": client.headers["Authorization"]}
        # A few nominals generated references may hit.
        for reference in ("A", "A1", "0", "AA", "A/B"):
            assert client.post("/api/v1/nominals", json=minimal_record(reference)).is_success
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result  # the schema itself is sound
            operation = result.ok()
            if (operation.method.upper(), operation.path) in SKIPPED:
                continue
            strategy = st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE),
                operation.as_strategy(GenerationMode.NEGATIVE),
            )
            _fuzz(strategy, bearer, sent, operation.label)
    return sent


def _fuzz(strategy: Any, bearer: dict[str, str], sent: Counter[str], label: str) -> None:
    @settings(
        max_examples=2 * EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(headers=bearer)
        sent[label] += 1
        case.validate_response(response, checks=CHECKS)

    run()
