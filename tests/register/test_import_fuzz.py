"""Fuzz `visor import` on every SQL backend: whatever the lines, each ends imported or as a
reject with its reasons, no exception escapes, and nothing committed before is lost."""

import datetime as dt
import io
import itertools
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from register import tables
from register.nif_import import BundleImporter, RejectWriter
from tests.adversarial import hostile_json, mutated, noise
from tests.conftest import minimal_record
from visor.security import operator_auditor
from visor.services import Services

# Each example's references are made unique outside the strategies (which must not depend on
# state): the placeholder is replaced line by line as the bundle is written.
PLACEHOLDER = "REF-PLACEHOLDER"
_numbers = itertools.count()
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2000, 12, 31)
FIELDS = ["reference", "names", "sex", "dates_of_birth", "height_cm", "marks", "photos", "build"]


@st.composite
def valid_record(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        fields["height_cm"] = draw(st.integers(min_value=50, max_value=250))
    if draw(st.booleans()):
        born = draw(st.dates(min_value=EARLIEST, max_value=LATEST))
        fields["dates_of_birth"] = [born.isoformat()]
    if draw(st.booleans()):
        fields["accent"] = draw(st.text(max_size=30).filter(_storable))
    return minimal_record(PLACEHOLDER, **fields)


def _storable(text: str) -> bool:
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


Line = tuple[bytes, bool]  # the line, and whether it must be imported
lines = st.lists(
    st.one_of(
        valid_record().map(lambda r: (json.dumps(r).encode(), True)),
        hostile_json(FIELDS).map(lambda b: (b, False)),
        valid_record().flatmap(mutated).map(lambda b: (b, False)),
        noise().map(lambda b: (b, False)),
    ),
    min_size=1,
    max_size=12,
)


def _register(services: Services) -> dict[str, int]:
    with services.engine.connect() as connection:
        rows = connection.execute(select(tables.nominals.c.reference, tables.nominals.c.version))
        return {row.reference: row.version for row in rows}


def test_any_lines_end_imported_or_rejected_and_nothing_committed_is_lost(
    services: Services,
) -> None:
    committed: dict[str, int] = {}  # what earlier examples imported, with its version

    @settings(
        max_examples=25,
        deadline=None,
        # One register for every example, on purpose: each must keep what the last committed.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(lines)
    def check(drawn: list[Line]) -> None:
        content: list[bytes] = []
        expected: set[str] = set()
        for line, valid in drawn:
            reference = f"R{next(_numbers)}"
            line = line.replace(PLACEHOLDER.encode(), reference.encode())
            content.append(line.replace(b"\n", b""))
            if valid:
                expected.add(reference)
        rejects = io.StringIO()
        importer = BundleImporter(
            services.engine,
            services.blob_store,
            RejectWriter(rejects),
            "fuzz",
            batch_size=3,
            auditor=operator_auditor(services.settings),
        )
        summary = importer.run(io.BytesIO(b"\n".join(content) + b"\n"), None, "fuzz")

        read = [line for line in content if line.strip()]
        assert summary.lines == len(read)
        written = summary.created + summary.updated + summary.unchanged
        assert written + summary.rejected_lines == summary.lines
        for entry in map(json.loads, rejects.getvalue().splitlines()):
            assert 1 <= entry["line"] <= len(content) and entry["rejected"] in ("nominal", "photo")
            assert entry["reasons"] and all(isinstance(r, str) and r for r in entry["reasons"])
        after = _register(services)
        assert expected <= after.keys()
        assert all(after.get(reference) == version for reference, version in committed.items())
        committed.update({reference: after[reference] for reference in expected})

    check()
