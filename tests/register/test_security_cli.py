"""The security model from the command line, as a script setting a deployment up would use
it: agencies and users, the purpose rule, the audit trail written by every write path, and
`visor audit verify|log|export` (exit 1 naming the first bad entry)."""

import csv
import hashlib
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from register import tables
from tests.conftest import EXAMPLE_BUNDLE
from visor.cli import main


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def test_set_up_audit_and_detect_tampering(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process (`visor.cli.main`), as a subprocess per command would cost seconds each."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VISOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VISOR_DATABASE_URL", database_url)
    monkeypatch.setenv("VISOR_OPERATOR", "ops.jane")

    def run(*args: str, stdin: bytes | None = None, strict: bool = False) -> Ran:
        capsys.readouterr()
        with monkeypatch.context() as scoped:
            if strict:
                scoped.delenv("VISOR_REQUIRE_PURPOSE")
            if stdin is not None:
                scoped.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
            code = main(list(args))
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    assert run("import", str(EXAMPLE_BUNDLE)).returncode == 0
    added = run("agencies", "add", "MPS", "--name", "Metropolitan Police", "--kind", "police")
    assert added.returncode == 0, added.stderr
    user = run(
        "users", "add", "jo.bloggs", "--agency", "MPS", "--role", "officer", "--role", "viewer",
        "--password-stdin", "--json", stdin=b"a long enough password\n",
    )  # fmt: skip
    assert user.returncode == 0, user.stderr
    assert json.loads(user.stdout)["roles"] == ["officer", "viewer"]
    short = run(
        "users",
        "add",
        "x.y",
        "--agency",
        "MPS",
        "--role",
        "viewer",
        "--password-stdin",
        stdin=b"short\n",
    )
    assert short.returncode == 2 and "at least 12" in short.stderr
    assert run("users", "disable", "jo.bloggs").returncode == 0

    refused = run("show", "EX0001", strict=True)
    assert refused.returncode == 2 and "purpose" in refused.stderr
    assert run("show", "EX0001", "--purpose", "case 12", strict=True).returncode == 0
    archived = run("archive", "EX0002", "--reason", "deceased")
    assert archived.returncode == 0

    log = run("audit", "log", "--reference", "EX0001", "--json")
    entries = [json.loads(line) for line in log.stdout.splitlines()]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("nominal.create", "ops.jane"),
        ("nominal.view", "ops.jane"),
    ]
    assert entries[1]["purpose"] == "case 12"

    engine = create_engine(database_url)
    with engine.connect() as connection:
        versions = connection.scalar(select(func.count()).select_from(tables.nominal_versions))
        changes = connection.scalar(
            select(func.count())
            .select_from(tables.audit_entries)
            .where(tables.audit_entries.c.action.like("nominal.%"))
            .where(tables.audit_entries.c.action != "nominal.view")
        )
    assert versions == changes == 4  # no change without its entry: 3 created, 1 archived

    out = tmp_path / "audit.csv"
    with pytest.raises(SystemExit):  # argparse: to whom?
        run("audit", "export", str(out))
    exported = run("audit", "export", str(out), "--recipient", "ICO", "--purpose", "case 9")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    disclosure = json.loads(run("audit", "log", "--action", "audit.export", "--json").stdout)
    assert (disclosure["target"], disclosure["purpose"]) == ("ICO", "case 9")
    assert disclosure["details"]["entries"] == len(rows)
    assert disclosure["details"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert [r["action"] for r in rows][:2] == ["nominal.create", "nominal.create"]
    assert {"agency.add", "user.add", "user.disable", "import", "nominal.archive"} <= {
        r["action"] for r in rows
    }

    verified = run("audit", "verify", "--json")
    assert verified.returncode == 0, verified.stdout
    assert json.loads(verified.stdout)["intact"]

    # Someone with the database's owner rights edits entry 3: the triggers must go first.
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_entries_no_update"))
        else:
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        connection.execute(text("UPDATE audit_entries SET purpose = 'routine' WHERE seq = 3"))
    engine.dispose()
    tampered = run("audit", "verify")
    assert tampered.returncode == 1
    assert "first bad entry 3" in tampered.stdout
