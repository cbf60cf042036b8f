"""Searches on someone's behalf: authorized, answered without what they may not see, and
recorded in the audit trail (the query, the purpose, the references returned) before the
answer is given. The CLI and the API both call these."""

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Engine

from imaging.decode import decode_bytes
from imaging.hashes import PerceptualHashes
from imaging.keypoints import Probe
from register.audit import AuditEvent, Auditor
from register.permissions import RestrictionPolicy, authorize_search, hidden_search_parts
from search.memory_backend import CandidateBackend
from search.photo_search import PhotoCandidate
from search.photo_verification import Likeness
from search.scoring import PreparedQuery, Score
from search.service import SearchAnswer, run_search
from search.statistics import RegisterStatistics
from visor.search_engines import PhotoSearch


class WithoutArea:
    """A backend that never matches the area a description names: for someone who may not
    see addresses, whose towns the area is matched against. Left out of the search itself,
    since a score or an order would tell what an explanation did not."""

    def __init__(self, inner: CandidateBackend) -> None:
        self.inner = inner

    @property
    def statistics(self) -> RegisterStatistics:
        return self.inner.statistics

    def search(self, prepared: PreparedQuery, top: int) -> list[Score]:
        query = prepared.query.model_copy(update={"area": None})
        return self.inner.search(dataclasses.replace(prepared, area=None, query=query), top)


def _without_area(answer: SearchAnswer) -> SearchAnswer:
    note = "area: not searched (it is matched against addresses, which your roles do not see)"
    query = {k: v for k, v in answer.query.items() if k != "area"}
    understood = [u for u in answer.understood if not u.startswith("area")]
    if "area" in answer.query:
        understood.append(note)
    return answer.model_copy(
        update={
            "query": query,
            "understood": understood,
            "narrowing": [n for n in answer.narrowing if not n.startswith("area ")],
        }
    )


def search_descriptions(
    engine: Engine,
    auditor: Auditor,
    backend: CandidateBackend,
    document: Any,
    top: int,
    as_of: dt.date | None,
    purpose: str | None,
    restrictions: RestrictionPolicy,
) -> SearchAnswer:
    authorize_search(auditor.principal)
    hidden = hidden_search_parts(auditor.principal, restrictions)
    if "area" in hidden:
        if isinstance(document, dict):
            document = {k: v for k, v in document.items() if k != "area"}
        answer = _without_area(run_search(document, WithoutArea(backend), top, as_of))
    else:
        answer = run_search(document, backend, top, as_of)
    event = AuditEvent(
        "search",
        purpose=purpose,
        references=[c.reference for c in answer.candidates],
        details={
            "query": answer.query,
            "top": top,
            "as_of": as_of.isoformat() if as_of else None,
            "scores": [round(c.score, 2) for c in answer.candidates],
        },
    )
    with engine.begin() as connection:
        auditor.record(connection, event)
    return answer


# Look-alikes are dropped from the default answer, so more candidates are judged than shown.
JUDGED_CANDIDATES = 50


def search_photos(
    engine: Engine,
    auditor: Auditor,
    search: PhotoSearch,
    photo: bytes,
    hashes: PerceptualHashes,
    top: int,
    radius: int,
    include_archived: bool,
    purpose: str | None,
    lookalikes: bool = False,
) -> list[PhotoCandidate]:
    """The nominals holding a copy of `photo` (and, with `lookalikes`, photos that only look
    like it, marked as such), nearest first, recorded in the audit trail."""
    authorize_search(auditor.principal)
    probe = Probe.of(decode_bytes(photo).image)
    judged = search(hashes, probe, max(top, JUDGED_CANDIDATES), radius, include_archived)
    candidates = [c for c in judged if lookalikes or c.likeness is Likeness.COPY][:top]
    event = AuditEvent(
        "search.photo",
        purpose=purpose,
        references=[c.reference for c in candidates],
        details={
            # The picture itself is not kept in the log; its digest says which it was.
            "photo_sha256": hashlib.sha256(photo).hexdigest(),
            "top": top,
            "radius": radius,
            "include_archived": include_archived,
            "lookalikes": lookalikes,
            "distances": [c.distance for c in candidates],
            "likeness": [c.likeness for c in candidates],
        },
    )
    with engine.begin() as connection:
        auditor.record(connection, event)
    return candidates
