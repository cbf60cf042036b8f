"""Writing batches of documents to OpenSearch so that none is ever silently dropped.

`helpers.streaming_bulk` sends the batch and itself retries whole requests refused with 429;
every document that still fails is logged and retried here with exponential back-off when
the failure is transient (429, 5xx, the node unreachable). A version conflict under external
versioning means the index already holds this version or a newer one: that is success, and
it is what makes replaying the outbox harmless. Anything else, or a transient failure that
outlasts the retries, raises `IndexingFailed`, and the caller does not advance its position.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch, helpers

from foundation.errors import VisorError

log = logging.getLogger(__name__)

_TRANSIENT = {429, 500, 502, 503, 504}


class IndexingFailed(VisorError):
    """Some documents could not be written; the message lists them and why."""


@dataclass
class BulkResult:
    written: int = 0
    already_current: int = 0  # refused as a version conflict: the index is newer or equal
    deleted: int = 0
    retried: int = 0
    failures: list[str] = field(default_factory=list)


def _status(info: dict[str, Any]) -> int | None:
    status = info.get("status")
    return status if isinstance(status, int) else None  # "N/A": the node was unreachable


def write_actions(
    client: OpenSearch,
    actions: Sequence[dict[str, Any]],
    attempts: int = 6,
    initial_backoff: float = 0.5,
    max_backoff: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> BulkResult:
    """Index or delete every action (each with a unique `_id`), retrying transient failures."""
    result = BulkResult()
    pending = {str(action["_id"]): action for action in actions}
    backoff = initial_backoff
    for attempt in range(1, attempts + 1):
        transient: dict[str, dict[str, Any]] = {}
        permanent: list[str] = []
        seen: set[str] = set()
        for ok, item in helpers.streaming_bulk(
            client,
            list(pending.values()),
            chunk_size=500,
            max_chunk_bytes=20 * 1024 * 1024,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=2,
            initial_backoff=1,
            max_backoff=int(max_backoff),
        ):
            op_type, info = next(iter(item.items()))
            key = str(info.get("_id"))
            seen.add(key)
            status = _status(info)
            if ok:
                if op_type == "delete":
                    result.deleted += 1
                else:
                    result.written += 1
            elif status == 409:
                result.already_current += 1
            elif op_type == "delete" and status == 404:
                result.deleted += 1  # already gone
            elif status is None or status in _TRANSIENT:
                transient[key] = pending[key]
                log.warning(
                    "indexing %s failed (attempt %d, status %s): %s",
                    key,
                    attempt,
                    status,
                    _reason(info),
                )
            else:
                permanent.append(f"{key}: status {status}: {_reason(info)}")
                log.error("indexing %s refused (status %s): %s", key, status, _reason(info))
        for key in pending.keys() - seen:  # no answer for it at all: try again, never assume
            log.warning("indexing %s got no answer (attempt %d)", key, attempt)
            transient[key] = pending[key]
        if permanent:
            result.failures = permanent + [f"{key}: not attempted again" for key in transient]
            raise IndexingFailed(
                f"{len(permanent)} document(s) refused by OpenSearch: " + "; ".join(permanent[:5])
            )
        if not transient:
            return result
        pending = transient
        result.retried += len(transient)
        if attempt < attempts:
            sleep(backoff)
            backoff = min(max_backoff, backoff * 2)
    result.failures = [f"{key}: still failing after {attempts} attempts" for key in pending]
    raise IndexingFailed(
        f"{len(pending)} document(s) could not be written after {attempts} attempts "
        f"(OpenSearch unreachable or overloaded): {', '.join(list(pending)[:5])}"
    )


def _reason(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error)
