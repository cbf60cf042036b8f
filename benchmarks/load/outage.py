"""OpenSearch going away in the middle of a load level, and what the users met because of it.

The server and the sync follower reach the node through a `CuttableProxy` (tests/tcp_proxy.py):
cutting it refuses new connections and drops the open ones, as a dead node or a lost network
would, without stopping the real node. A timer cuts it part-way through a level's steady
window and restores it after the outage; the requests each user made are then sorted by when
they started: before the cut, during it, and after the restore.

What is promised (docs/reliability.md, "Degraded modes"): while the cluster is gone a search
answers 503 with a reason, never another 5xx; edits still commit; once it is back, searches
answer again by themselves, with nothing restarted.
"""

import threading
import time
from dataclasses import dataclass

from benchmarks.load.run import Request
from tests.tcp_proxy import CuttableProxy

SEARCHES = ("search description", "search photo")
WRITE = "edit: write"  # the PUT of a correction (its GET is "edit: read")


class Outage(threading.Thread):
    """Cuts `proxy` `after` seconds from now for `seconds`, and keeps when it did both."""

    def __init__(self, proxy: CuttableProxy, after: float, seconds: float) -> None:
        super().__init__(daemon=True)
        self.proxy, self.after, self.seconds = proxy, after, seconds
        self.cut_at: float | None = None
        self.restored_at: float | None = None
        self._cancel = threading.Event()

    def run(self) -> None:
        if self._cancel.wait(self.after):
            return
        self.proxy.cut()
        self.cut_at = time.time()
        self._cancel.wait(self.seconds)  # cancelled or not, the cluster comes back
        self.proxy.restore()
        self.restored_at = time.time()

    def finish(self) -> None:
        self._cancel.set()
        self.join()


@dataclass(frozen=True)
class OutageRow:
    """One phase of a level with an outage: requests started in it, by what they met."""

    phase: str  # "before", "during", "after"
    requests: int
    searches: int
    searches_answered: int  # 200
    searches_unavailable: int  # 503: the promised answer while the cluster is gone
    other_server_errors: int  # any other 5xx: must be 0
    unanswered: int  # no answer at all (refused, reset, timed out): must be 0
    writes: int
    writes_committed: int  # 200 (a 412 is a conflict the user then retries)


@dataclass(frozen=True)
class OutageReport:
    seconds: float
    phases: list[OutageRow]
    # From the restore to the start of the first search that was answered 200 after it.
    recovered_after: float | None
    # Searches started after that first answer that were still refused (503): should be 0.
    unavailable_after_recovery: int


def _row(phase: str, requests: list[Request]) -> OutageRow:
    searches = [r for r in requests if r.name in SEARCHES]
    writes = [r for r in requests if r.name == WRITE]
    return OutageRow(
        phase=phase,
        requests=len(requests),
        searches=len(searches),
        searches_answered=sum(r.status == 200 for r in searches),
        searches_unavailable=sum(r.status == 503 for r in searches),
        other_server_errors=sum(r.status >= 500 and r.status != 503 for r in requests),
        unanswered=sum(r.status == 0 for r in requests),
        writes=len(writes),
        writes_committed=sum(r.status == 200 for r in writes),
    )


def outage_report(requests: list[Request], cut_at: float, restored_at: float) -> OutageReport:
    # A request is placed by when it started; one started just before the cut and answered
    # during it counts as "before".
    before = [r for r in requests if r.start < cut_at]
    during = [r for r in requests if cut_at <= r.start < restored_at]
    after = [r for r in requests if r.start >= restored_at]
    answered = sorted(r.start for r in after if r.name in SEARCHES and r.status == 200)
    first = answered[0] if answered else None
    late_refusals = (
        sum(r.status == 503 for r in after if r.name in SEARCHES and r.start > first)
        if first is not None
        else 0
    )
    return OutageReport(
        seconds=restored_at - cut_at,
        phases=[_row("before", before), _row("during", during), _row("after", after)],
        recovered_after=None if first is None else first - restored_at,
        unavailable_after_recovery=late_refusals,
    )


def outage_table(report: OutageReport) -> str:
    lines = [
        f"OpenSearch cut for {report.seconds:.0f} s; first search answered "
        + (
            f"{report.recovered_after:.1f} s after the restore"
            if report.recovered_after is not None
            else "never after the restore"
        )
        + f"; searches refused after that: {report.unavailable_after_recovery}",
        "| phase | requests | searches | answered 200 | 503 | other 5xx | no answer "
        "| edits | edits committed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report.phases:
        lines.append(
            f"| {row.phase} | {row.requests} | {row.searches} | {row.searches_answered} "
            f"| {row.searches_unavailable} | {row.other_server_errors} | {row.unanswered} "
            f"| {row.writes} | {row.writes_committed} |"
        )
    return "\n".join(lines)
