"""`visor audit photos|compliance` as a user runs it: the three output forms, bad input."""

import csv
import json
from pathlib import Path

from tests.audits.test_photo_audit import assert_self_contained
from tests.cli_helpers import visor, visor_env
from tests.conftest import minimal_record, write_bundle


def test_audit_commands_end_to_end(tmp_path: Path) -> None:
    env = visor_env(tmp_path / "home", VISOR_AUDIT_REVIEW_WEEKS_LEVEL_3="4")
    lines = [
        minimal_record("A/1", managing_agency="GMP", mappa_level=3, last_reviewed="2026-01-01"),
        minimal_record("B/1", managing_agency="MPS"),
    ]
    bundle = write_bundle(tmp_path / "bundle", lines)
    assert visor("import", str(bundle), env=env, cwd=tmp_path).returncode == 0

    done = visor("audit", "photos", "--json", "--as-of", "2026-11-30", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["as_of"] == "2026-11-30" and data["summary"]["by_flag"] == {"no_face_photo": 2}

    done = visor("audit", "compliance", "--json", "--agency", "GMP", env=env, cwd=tmp_path)
    data = json.loads(done.stdout)
    assert [r["reference"] for r in data["records"]] == ["A/1"]
    assert data["policy"]["review_weeks"]["3"] == 4

    report, table = tmp_path / "compliance.html", tmp_path / "photos.csv"
    done = visor("audit", "compliance", "--html", str(report), env=env, cwd=tmp_path)
    assert done.returncode == 0 and "report written to" in done.stdout
    assert_self_contained(report.read_text("utf-8"))
    assert visor("audit", "photos", "--csv", str(table), env=env, cwd=tmp_path).returncode == 0
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert {r["reference"] for r in rows} == {"A/1", "B/1"}

    bad = visor("audit", "photos", "--as-of", "yesterday", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "--as-of must be a date" in bad.stderr
    nowhere = visor(
        "audit", "photos", "--html", str(tmp_path / "no" / "r.html"), env=env, cwd=tmp_path
    )
    assert nowhere.returncode == 2 and "not a folder" in nowhere.stderr
    invalid = visor(
        "audit", "photos", env={**env, "VISOR_AUDIT_PHOTO_MAX_AGE_MONTHS": "0"}, cwd=tmp_path
    )
    assert invalid.returncode == 2 and "VISOR_AUDIT_PHOTO_MAX_AGE_MONTHS" in invalid.stderr
