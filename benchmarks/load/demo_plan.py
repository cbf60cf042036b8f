"""A demo register for the load test and the plan of what its simulated users do, built by
`visor demo --no-serve` exactly as a user would."""

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from benchmarks.load.plan import Account, LoadPlan
from visor.cli import main as visor
from visor.demo import DEMO_USERS, witness_description

PLAN_FILE = "load-plan.json"
OFFICER_ROLE, AUDITOR_ROLE = "officer", "auditor"
PHOTOS_IN_PLAN = 40


def build_demo(home: Path, size: int, seed: int = 1) -> dict[str, str]:
    """Build the demo register in `home` (its own folder, wiped by `visor demo`); the demo
    users' passwords, which it prints once."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        arguments = ["demo", "--size", str(size), "--seed", str(seed), "--home", str(home)]
        code = visor([*arguments, "--no-serve", "--json"])
    if code != 0:
        raise RuntimeError(f"visor demo failed ({code}): {out.getvalue()[-2000:]}")
    users = json.loads(out.getvalue())["users"]
    return {user["username"]: user["password"] for user in users}


def _accounts(passwords: dict[str, str], role: str) -> list[Account]:
    return [
        Account(username=name, password=passwords[name], agency=agency)
        for name, agency, roles in DEMO_USERS
        if any(r.value == role for r in roles)
    ]


def write_plan(home: Path, passwords: dict[str, str]) -> Path:
    bundle = home / "bundle"
    with (bundle / "nominals.jsonl").open(encoding="utf-8") as lines:
        documents: list[dict[str, Any]] = [json.loads(line) for line in lines]
    live = [d for d in documents if d.get("status", "live") == "live"]
    officers = _accounts(passwords, OFFICER_ROLE)
    editable = {
        officer.agency: [d["reference"] for d in live if d.get("managing_agency") == officer.agency]
        for officer in officers
    }
    photos = [str(bundle / p["file"]) for d in live for p in d.get("photos", [])]
    plan = LoadPlan(
        officers=officers,
        auditors=_accounts(passwords, AUDITOR_ROLE),
        descriptions=[witness_description(d) for d in live],
        photos=photos[:PHOTOS_IN_PLAN],
        viewable=[d["reference"] for d in live],
        editable={agency: refs for agency, refs in editable.items() if refs},
    )
    path = home / PLAN_FILE
    path.write_text(plan.model_dump_json(), encoding="utf-8")
    return path


def prepared_demo(home: Path, size: int) -> Path:
    """The plan of a demo register in `home`, built first unless one of `size` is there (the
    demo prints its passwords once, so they are kept in the plan beside it)."""
    plan = home / PLAN_FILE
    marker = home / "load-size"
    if plan.exists() and marker.exists() and marker.read_text() == str(size):
        return plan
    passwords = build_demo(home, size)
    written = write_plan(home, passwords)
    marker.write_text(str(size))
    return written
