"""`visor demo`: a synthetic register, built through the real import path, and a guide to it."""

import argparse
import datetime as dt
import io
import itertools
import json
import secrets
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from foundation.errors import InvalidInput
from register import agencies, partnerships, users
from register.audit import Auditor
from register.model import to_document
from register.nif_import import BundleImporter, RejectWriter
from register.principals import Role, local_operator
from register.statistics import register_statistics
from register.store import get_record, iter_records
from visor.output import emit
from visor.security import argon2_parameters, chain_signer
from visor.services import build_services
from visor.settings import DEMO_MARKER, Settings
from visor.synthetic import write_bundle

MARKER = DEMO_MARKER
DEMO_AGENCIES = (
    ("MPS", "Metropolitan Police Service", "police"),
    ("GMP", "Greater Manchester Police", "police"),
    ("LDN-PROB", "London Probation Service", "probation"),
    ("HMP-BRIXTON", "HM Prison Brixton", "prison"),
)
# (username, agency, roles): every role, and officers and supervisors in every agency.
DEMO_USERS: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("mps.viewer", "MPS", (Role.VIEWER,)),
    ("mps.officer", "MPS", (Role.OFFICER,)),
    ("mps.supervisor", "MPS", (Role.SUPERVISOR,)),
    ("mps.admin", "MPS", (Role.ADMINISTRATOR,)),
    ("mps.auditor", "MPS", (Role.AUDITOR,)),
    ("gmp.officer", "GMP", (Role.OFFICER,)),
    ("gmp.supervisor", "GMP", (Role.SUPERVISOR,)),
    ("gmp.admin", "GMP", (Role.ADMINISTRATOR,)),
    ("probation.officer", "LDN-PROB", (Role.OFFICER,)),
    ("probation.supervisor", "LDN-PROB", (Role.SUPERVISOR,)),
    ("prison.officer", "HMP-BRIXTON", (Role.OFFICER,)),
    ("prison.supervisor", "HMP-BRIXTON", (Role.SUPERVISOR,)),
)


def _fresh_home(home: Path) -> None:
    # Only a folder this command made is ever wiped.
    if home.exists() and any(home.iterdir()):
        if not (home / MARKER).exists():
            raise InvalidInput(f"{home} holds other data; give an empty folder with --home")
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).write_text("made by `visor demo`; deleted when the demo is rebuilt\n")


def describe(document: dict[str, Any]) -> str:
    """A few plain lines about a nominal, as an officer would read them out."""
    primary, *others = document["names"]
    name = " ".join(filter(None, [primary.get("forename"), primary["surname"]]))
    known_as = ", ".join(" ".join(filter(None, [n.get("forename"), n["surname"]])) for n in others)
    traits = ", ".join(
        str(document[key]) + (" cm" if key == "height_cm" else "")
        for key in (
            "sex",
            "ethnic_appearance",
            "height_cm",
            "build",
            "hair_colour",
            "facial_hair",
            "eye_colour",
            "accent",
        )
        if key in document
    )
    lines = [
        f"  {name}" + (f" (also known as {known_as})" if known_as else ""),
        f"  born {', '.join(document.get('dates_of_birth', [])) or 'unknown'}; {traits}",
    ]
    lines += [
        f"  {mark['type']}, {mark['location']}: {mark.get('description', '')}"
        for mark in document.get("marks", [])
    ]
    lines += [f"  MO: {mo['text']}" for mo in document.get("modus_operandi", [])]
    lines += [
        f"  {photo['kind']} photo taken {photo.get('taken_on', '(date unknown)')}"
        for photo in document.get("photos", [])
    ]
    return "\n".join(lines)


def witness_description(document: dict[str, Any]) -> str:
    """What a witness might say of this nominal: a few traits and one mark, roughly."""
    parts = [{"M": "man", "F": "woman"}.get(document["sex"], "person")]
    if document.get("dates_of_birth"):
        born = dt.date.fromisoformat(document["dates_of_birth"][0])
        parts.append(f"about {round((dt.date.today() - born).days / 365.25 / 5) * 5}")
    for key in ("build", "hair_colour"):
        if document.get(key):
            parts.append(f"{document[key]} hair" if key == "hair_colour" else document[key])
    marks = document.get("marks", [])
    if marks:
        mark = marks[0]
        parts.append(f"{mark.get('description', '')} {mark['type']} on {mark['location']}".strip())
    return ", ".join(parts).replace('"', "'")


def _showcase_reference(bundle: Path) -> str:
    """The first live nominal with an alias, a tattoo and a photo: the richest to show, and
    one that the suggested searches find (archived nominals are filtered out by default)."""
    first = ""
    with (bundle / "nominals.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            document = json.loads(line)
            first = first or document["reference"]
            if (
                document.get("status", "live") == "live"
                and len(document["names"]) > 1
                and any(mark["type"] == "tattoo" for mark in document.get("marks", []))
                and document.get("photos")
            ):
                return str(document["reference"])
    return first


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    home: Path = (args.home or settings.home / "demo").expanduser().resolve()
    if args.size < 1:
        raise InvalidInput("--size must be at least 1")
    _fresh_home(home)
    print(
        f"building a synthetic register of {args.size} nominals (seed {args.seed}) in {home}",
        file=sys.stderr,
    )
    # The demo register is always an embedded one, whatever VISOR_DATABASE_URL says.
    demo_settings = Settings(home=home, database_url=None)
    services = build_services(demo_settings)
    try:
        operator = Auditor(chain_signer(demo_settings), local_operator("visor-demo"), "demo")
        # The users' Argon2 hashes (a second or more of CPU) are made on another core while
        # the bundle is drawn on this one: the hashing library lets go of the GIL.
        with ThreadPoolExecutor(max_workers=1) as background:
            made = background.submit(_agencies_and_users, services.engine, operator, demo_settings)
            bundle = write_bundle(home / "bundle", args.size, seed=args.seed, photo_fraction=0.5)
            passwords = made.result()
        rejects = io.StringIO()
        importer = BundleImporter(
            services.engine,
            services.blob_store,
            RejectWriter(rejects),
            actor="visor-demo",
            auditor=operator,
            photo_limits=settings.photo_limits,
        )
        with (bundle / "nominals.jsonl").open("rb") as stream:
            summary = importer.run(stream, bundle, str(bundle))
        shared = _partnerships(services.engine, operator)
        with services.engine.connect() as connection:
            statistics = register_statistics(connection)
            sample = to_document(get_record(connection, _showcase_reference(bundle)))
    finally:
        services.close()
    data = {
        "home": str(home),
        "import": summary.model_dump(),
        "statistics": statistics.model_dump(),
        "sample": sample,
        "users": [
            {
                "username": name,
                "agency": agency,
                "roles": [r.value for r in roles],
                "password": passwords[name],
            }
            for name, agency, roles in DEMO_USERS
        ],
        "partnerships": shared,
    }
    s = statistics
    photos = sample.get("photos", [])
    photo_line = (
        f"visor search-photo {bundle / photos[0]['file']}   # who holds this photo?"
        if photos
        else "visor search-photo PHOTO.jpg   # who holds a photo like this?"
    )
    text = f"""
visor demo register ready: {home}
  {s.nominals} nominals ({s.live} live, {s.archived} archived), {s.names} names and aliases,
  {s.marks} distinguishing marks, {s.photos} photos, {s.versions} versions recorded.

One of them ({sample["reference"]}):
{describe(sample)}

Explore it (every command takes --json):
  export VISOR_HOME={home}
  visor search --text "{witness_description(sample)}"
  {photo_line}
  visor show {sample["reference"]}             # one nominal, as NIF JSON
  visor history {sample["reference"]}          # who changed what, when
  visor archive SYN0000002 --reason "deceased"   # a versioned change
  visor export /tmp/visor-export    # the whole register as a NIF bundle
  visor import {bundle}   # re-import: every nominal unchanged
  visor audit log --reference {sample["reference"]}   # who looked at it, who changed it
  visor audit verify                 # the audit trail's hash chain, checked

Sign in to the web pages ({_address(args)}{_when_served(args, home)}) or the API
({_address(args)}docs) as any of these demo users (the passwords are this demo's own, made at
random; never use them anywhere else):
{_users_text(passwords)}
Partnerships: {_partnerships_text(shared)}
"""
    emit(args, data, text)
    if summary.rejected:
        return 1
    if not getattr(args, "no_serve", True):
        _serve(args, demo_settings)
    return 0


def _when_served(args: argparse.Namespace, home: Path) -> str:
    if getattr(args, "no_serve", True):
        return f"; not served now: VISOR_HOME={home} visor serve"
    return ", served below until Ctrl-C"


def _address(args: argparse.Namespace) -> str:
    return f"http://{getattr(args, 'host', '127.0.0.1')}:{getattr(args, 'port', 8000)}/"


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    """The web pages and the API over the demo register, until interrupted."""
    import uvicorn

    from api.app import create_app

    print(f"serving the demo at {_address(args)} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")


def _agencies_and_users(engine: Any, operator: Auditor, settings: Settings) -> dict[str, str]:
    passwords = {name: secrets.token_urlsafe(12) for name, _agency, _roles in DEMO_USERS}
    parameters = argon2_parameters(settings)
    with engine.begin() as connection:
        for code, name, kind in DEMO_AGENCIES:
            agencies.add_agency(connection, code, name, kind)
        for username, agency, roles in DEMO_USERS:
            users.add_user(
                connection,
                operator,
                username,
                agency,
                frozenset(roles),
                passwords[username],
                parameters,
            )
    return passwords


def _partnerships(engine: Any, operator: Auditor) -> dict[str, Any]:
    """GMP asks to partner three nominals that MPS manages; an MPS supervisor grants two and
    refuses one, then revokes one of the two. One nominal moves from MPS to GMP."""
    with engine.begin() as connection:
        found = users.get_user
        gmp = Auditor(operator.signer, found(connection, "gmp.officer").principal(), "demo")
        gmp_supervisor = Auditor(
            operator.signer, found(connection, "gmp.supervisor").principal(), "demo"
        )
        mps = Auditor(operator.signer, found(connection, "mps.supervisor").principal(), "demo")
        # The first four in id order, read a few at a time rather than the whole register.
        candidates = (
            record.reference
            for record in iter_records(connection, chunk_size=50)
            if record.managing_agency == "MPS" and "GMP" not in record.partner_agencies
        )
        references = list(itertools.islice(candidates, 4))
        if len(references) < 4:
            return {}
        granted, refused, revoked, moved = references
        asked = [
            partnerships.request_partnership(connection, gmp, r, "joint operation")
            for r in (granted, refused, revoked)
        ]
        partnerships.decide_partnership(connection, mps, asked[0].id, grant=True)
        partnerships.decide_partnership(connection, mps, asked[1].id, grant=False)
        partnerships.decide_partnership(connection, mps, asked[2].id, grant=True)
        partnerships.revoke_partnership(connection, mps, revoked, "GMP")
        transfer = partnerships.request_transfer(connection, mps, moved, "GMP", "moved area")
        partnerships.accept_transfer(connection, gmp_supervisor, transfer.id)
    return {"granted": granted, "refused": refused, "revoked": revoked, "transferred": moved}


def _users_text(passwords: dict[str, str]) -> str:
    return "\n".join(
        f"  {name:<22} {agency:<12} {','.join(r.value for r in roles):<14} {passwords[name]}"
        for name, agency, roles in DEMO_USERS
    )


def _partnerships_text(shared: dict[str, Any]) -> str:
    if not shared:
        return "(the register is too small to show them)"
    return (
        f"GMP partners {shared['granted']} (granted by MPS); its requests for "
        f"{shared['refused']} (refused) and {shared['revoked']} (granted, then revoked) give "
        f"it no say there; {shared['transferred']} moved from MPS to GMP."
    )
