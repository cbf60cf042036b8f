"""The photo-quality and compliance audits through the API, on SQLite and PostgreSQL: the
object `visor audit ... --json` prints, an auditor's own agency's work list unless their
agency has the national view, refusals as problem+json, and every reading recorded.
(Every role x agency x token state is in test_authorization_matrix.py.)"""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from register import agencies
from register.audit import LogFilter, read_log
from tests.api.matrix import database_for
from tests.api.sign_in import add_user, token
from tests.cli_helpers import visor, visor_env
from tests.conftest import image_bytes, minimal_record, run_import, write_bundle
from visor.services import build_services
from visor.settings import Settings

LOCAL = "http://localhost"
PHOTOS = "/api/v1/audits/photos"
COMPLIANCE = "/api/v1/audits/compliance"
NATIONAL = "NCA"  # the agency whose auditors are granted the national view


@dataclass
class Audited:
    settings: Settings
    client: TestClient
    tokens: dict[str, str]

    def get(self, user: str, path: str, **params: str) -> tuple[int, Any, str]:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        answer = self.client.get(path, headers=headers, params=params)
        return answer.status_code, answer.json(), answer.headers["content-type"]

    def reports_read(self) -> list[tuple[str, str | None, object]]:
        services = build_services(self.settings)
        try:
            with services.engine.connect() as connection:
                entries = list(read_log(connection, LogFilter(action="audit.report")))
        finally:
            services.close()
        return [(e.actor, e.target, e.details.get("agency")) for e in entries]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def audited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Audited]:
    """One register per module and database (three Argon2 sign-ins are the slow part)."""
    folder = tmp_path_factory.mktemp("audits")
    for url in database_for(request, folder):
        settings = Settings(
            home=folder / "home", database_url=url, audit_national_agencies=(NATIONAL,)
        )
        _fill(settings, folder)
        with TestClient(create_app(settings), base_url=LOCAL) as client:
            names = ("mps.auditor", "nca.auditor", "mps.officer")
            tokens = {name: token(client, name) for name in names}
            yield Audited(settings, client, tokens)


def _fill(settings: Settings, folder: Path) -> None:
    records = [
        minimal_record("M/1", managing_agency="MPS", mappa_level=3, last_reviewed="2026-01-01"),
        minimal_record("M/2", managing_agency="MPS", photos=[{"file": "p.png", "kind": "face"}]),
        minimal_record("G/1", managing_agency="GMP", mappa_level=3),
    ]
    services = build_services(settings)
    try:
        photo = {"p.png": image_bytes((9, 9, 9))}
        run_import(services, write_bundle(folder / "bundle", records, photo))
        with services.engine.begin() as connection:
            agencies.add_agency(connection, "GMP", "GMP (test)", "police")
    finally:
        services.close()
    for username, agency, role in (
        ("mps.auditor", "MPS", "auditor"),
        ("nca.auditor", NATIONAL, "auditor"),
        ("mps.officer", "MPS", "officer"),
    ):
        add_user(settings, username, agency, (role,))


def test_an_auditor_reads_their_own_agency_s_work_list(audited: Audited) -> None:
    status, photos, _ = audited.get("mps.auditor", PHOTOS)
    assert status == 200 and photos["agency"] == "MPS"
    # M/1 has no face photo, M/2's says not when it was taken; G/1 is GMP's.
    assert {n["reference"] for n in photos["nominals"]} == {"M/1", "M/2"}
    assert set(photos["summary"]["by_agency"]) == {"MPS"}
    status, compliance, _ = audited.get("mps.auditor", COMPLIANCE, agency="MPS")
    assert status == 200 and compliance["agency"] == "MPS"
    assert {r["reference"] for r in compliance["records"]} <= {"M/1", "M/2"}
    assert "G/1" not in json.dumps(compliance)

    status, refused, media_type = audited.get("mps.auditor", COMPLIANCE, agency="GMP")
    assert status == 403 and media_type.startswith("application/problem+json")
    assert "national view" in str(refused["detail"])
    status, refused, _ = audited.get("mps.officer", PHOTOS)
    assert status == 403 and "auditor role" in str(refused["detail"])


def test_the_national_view_sees_every_agency_or_any_one(audited: Audited) -> None:
    status, everyone, _ = audited.get("nca.auditor", COMPLIANCE)
    assert status == 200 and everyone["agency"] is None
    overdue = {r["reference"] for r in everyone["records"] for f in r["flags"]}
    assert {"M/1", "G/1"} <= overdue
    status, gmp, _ = audited.get("nca.auditor", COMPLIANCE, agency="GMP")
    assert status == 200 and {r["reference"] for r in gmp["records"]} == {"G/1"}
    status, unknown, media_type = audited.get("nca.auditor", PHOTOS, agency="NOPE")
    assert status == 422 and media_type.startswith("application/problem+json")
    assert "no agency NOPE" in str(unknown["detail"])


def test_the_answer_is_what_the_cli_prints(audited: Audited, tmp_path: Path) -> None:
    env = visor_env(
        audited.settings.home,
        audited.settings.database_url,
        VISOR_AUDIT_NATIONAL_AGENCIES=NATIONAL,
    )
    # The photo audit, the larger object; both kinds come from the one builder. One run of
    # the CLI: its start-up is most of this test's time.
    status, answer, _ = audited.get("nca.auditor", PHOTOS, as_of="2026-06-30")
    printed = visor("audit", "photos", "--json", "--as-of", "2026-06-30", env=env, cwd=tmp_path)
    assert status == 200 and printed.returncode == 0, printed.stderr
    assert answer == json.loads(printed.stdout)
    assert answer["nominals"] and answer["photos"]  # flagged nominals and photos to compare


def test_bad_dates_are_refused_and_every_reading_is_recorded(audited: Audited) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for bad in ("yesterday", "2026-02-30", tomorrow, "1899-12-31"):
        status, _, media_type = audited.get("mps.auditor", PHOTOS, as_of=bad)
        assert status == 422 and media_type.startswith("application/problem+json"), bad
    before = len(audited.reports_read())
    assert audited.get("mps.auditor", PHOTOS, as_of="2026-01-31")[0] == 200
    assert audited.get("nca.auditor", COMPLIANCE, agency="GMP")[0] == 200
    assert audited.get("mps.auditor", COMPLIANCE, agency="GMP")[0] == 403
    # Read reports are recorded with the scope they showed; refused ones show nothing.
    assert audited.reports_read()[before:] == [
        ("mps.auditor", "photos", "MPS"),
        ("nca.auditor", "compliance", "GMP"),
    ]


def test_the_routes_are_in_the_openapi_schema(audited: Audited) -> None:
    paths = audited.client.get("/openapi.json").json()["paths"]
    for path in (PHOTOS, COMPLIANCE):
        route = paths[path]["get"]
        assert {p["name"] for p in route["parameters"]} == {"agency", "as_of"}
        assert {"200", "403", "422"} <= set(route["responses"])
