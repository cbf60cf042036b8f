"""How the load test sorts what users met around an OpenSearch outage
(benchmarks/load/outage.py): the phases, the promised 503s against any other failure, and the
time until searches answer again."""

from benchmarks.load.outage import outage_report
from benchmarks.load.run import Request

CUT, RESTORED = 100.0, 130.0


def _request(name: str, start: float, status: int) -> Request:
    return Request(name, start, 12.0, status, status != 200)


def test_requests_are_placed_by_when_they_started() -> None:
    requests = [
        _request("search description", 90.0, 200),
        _request("search description", 99.9, 200),  # answered during the cut: still "before"
        _request("search description", 100.0, 503),
        _request("search photo", 110.0, 503),
        _request("edit: write", 120.0, 200),  # edits commit while the cluster is gone
        _request("view record", 125.0, 0),  # no answer at all
        _request("search description", 131.0, 503),
        _request("search description", 134.5, 200),
        _request("search description", 140.0, 503),  # refused after it came back
        _request("edit: write", 141.0, 412),
        _request("audit log", 142.0, 500),
    ]
    report = outage_report(requests, CUT, RESTORED)
    before, during, after = report.phases
    assert (before.requests, during.requests, after.requests) == (2, 4, 5)
    assert (during.searches, during.searches_answered, during.searches_unavailable) == (2, 0, 2)
    assert (during.writes, during.writes_committed, during.unanswered) == (1, 1, 1)
    assert (after.writes, after.writes_committed) == (1, 0)
    assert after.other_server_errors == 1 and during.other_server_errors == 0
    assert report.recovered_after == 4.5
    assert report.unavailable_after_recovery == 1
    assert report.seconds == 30.0


def test_searches_that_never_came_back_are_reported_as_such() -> None:
    requests = [_request("search description", 131.0 + i, 503) for i in range(3)]
    report = outage_report(requests, CUT, RESTORED)
    assert report.recovered_after is None
    assert report.phases[2].searches_unavailable == 3
