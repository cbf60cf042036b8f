"""Two replacements of one nominal sent at once, through a real server, with the same
If-Match (and a read beside them): exactly one wins (200), the other is told it is stale
(412), the read is answered, and nothing is lost:
the register holds the winner's record, one new version and one audit entry for it. On
SQLite and PostgreSQL, several rounds, so that the two really overlap."""

import threading
from typing import Any

import httpx

from register import store
from register.audit import LogFilter, read_log
from tests.api.served import serving
from tests.api.sign_in import add_user, token
from tests.conftest import minimal_record
from visor.services import build_services
from visor.settings import Settings

URL = "/api/v1/nominals"
ROUNDS = 8


def _at_once(
    clients: list[httpx.Client], url: str, bodies: list[dict[str, Any]], version: str
) -> list[httpx.Response]:
    """Each client but the last PUTs its body, the last reads the record (a view, with its
    audit entry), all released by one barrier."""
    start = threading.Barrier(len(clients))
    answers: dict[int, httpx.Response] = {}

    def send(side: int) -> None:
        start.wait()
        if side == len(bodies):
            answers[side] = clients[side].get(url)
            return
        answers[side] = clients[side].put(url, json=bodies[side], headers={"If-Match": version})

    threads = [threading.Thread(target=send, args=(side,)) for side in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [answers[side] for side in range(len(clients))]


def test_two_replacements_at_once_one_wins_the_other_412(settings: Settings) -> None:
    add_user(settings, "pc.one")
    add_user(settings, "pc.two")
    with serving(settings) as base:
        clients = [httpx.Client(base_url=base, timeout=60) for _ in range(3)]
        for client, name in zip(clients, ("pc.one", "pc.two", "pc.one"), strict=True):
            client.headers["Authorization"] = f"Bearer {token(client, name)}"  # type: ignore[arg-type]
        created = clients[0].post(URL, json=minimal_record("R/1"))
        assert created.status_code == 201
        for round_number in range(ROUNDS):
            current = clients[0].get(f"{URL}/R/1")
            version = current.headers["etag"]
            bodies = [
                {**current.json(), "height_cm": 150 + 2 * round_number + side} for side in (0, 1)
            ]
            answers = _at_once(clients, f"{URL}/R/1", bodies, version)
            reader = answers.pop()
            assert reader.status_code == 200, reader.text
            statuses = sorted(a.status_code for a in answers)
            assert statuses == [200, 412], [a.text for a in answers]
            winner = next(side for side in (0, 1) if answers[side].status_code == 200)
            assert answers[1 - winner].json()["current_version"] == round_number + 2
            stored = clients[0].get(f"{URL}/R/1").json()
            assert stored["height_cm"] == bodies[winner]["height_cm"]
        for client in clients:
            client.close()
    services = build_services(settings)
    with services.engine.connect() as connection:
        versions = [entry.version for entry in store.history(connection, "R/1")]
        updates = list(read_log(connection, LogFilter(reference="R/1", action="nominal.update")))
    services.close()
    assert versions == list(range(1, ROUNDS + 2))  # one new version per round, no more
    assert len(updates) == ROUNDS
