"""Officers and auditors using `visor serve`, for locust (benchmarks/load_test.py runs it).

Each simulated user signs in once, with a demo account (its own session: the register has
no per-user limit on sessions, and lock-out counts only failed sign-ins), then, with a
pause between requests as a person makes:

- an officer (9 in 10) searches by a witness's description, views a record (the audit
  trail's `nominal.view`), searches by a photo, and now and then corrects a record it
  manages: GET for the ETag, PUT with If-Match, and on 412 (someone changed it meanwhile)
  reads it again and reapplies the change, as docs/api.md asks;
- an auditor (1 in 10) browses the audit log, by day and by record, following a page on.

Every search and view states its purpose. Each request's name, start, time, status and
whether locust counted it failed are written as JSON Lines to VISOR_LOAD_RECORD at the end,
for the driver's own percentiles over the steady part of the run.
"""

import datetime as dt
import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any, ClassVar

from locust import HttpUser, between, events, task

from benchmarks.load.plan import Account, LoadPlan, read_plan

RECORD_VARIABLE = "VISOR_LOAD_RECORD"
PURPOSE = {"purpose": "load test: incident 4471/26"}
EDIT_ATTEMPTS = 5
SIGN_IN_ATTEMPTS = 3
THINK_SECONDS = (1.0, 3.0)

PLAN: LoadPlan = read_plan()
PHOTOS = [Path(path).read_bytes() for path in PLAN.photos]
_turns = itertools.count()
_records: list[list[Any]] = []


def _record(
    name: str,
    start_time: float,
    response_time: float,
    response: Any,
    exception: BaseException | None,
    **_: Any,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    _records.append([name, start_time, response_time, status, exception is not None])


def _write_records(**_: Any) -> None:
    target = os.environ.get(RECORD_VARIABLE)
    if target:
        with open(target, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(row) + "\n" for row in _records)


events.request.add_listener(_record)  # type: ignore[no-untyped-call]
events.quitting.add_listener(_write_records)  # type: ignore[no-untyped-call]


def _next(accounts: list[Account]) -> Account:
    return accounts[next(_turns) % len(accounts)]


class SignedInUser(HttpUser):
    abstract = True
    wait_time = between(*THINK_SECONDS)
    accounts: ClassVar[list[Account]] = []

    def on_start(self) -> None:
        self.account = _next(self.accounts)
        token = "refused"
        # A person whose sign-in fails (a 503 from a busy server) tries again after a pause;
        # every attempt is counted.
        for _ in range(SIGN_IN_ATTEMPTS):
            answer = self.client.post(
                "/api/v1/auth/token",
                data={"username": self.account.username, "password": self.account.password},
                name="sign in",
            )
            if answer.status_code == 200:
                token = answer.json()["access_token"]
                break
            time.sleep(random.uniform(*THINK_SECONDS))
        self.client.headers["Authorization"] = f"Bearer {token}"


class Officer(SignedInUser):
    weight = 9
    accounts: ClassVar[list[Account]] = PLAN.officers

    @task(6)
    def search_by_description(self) -> None:
        self.client.post(
            "/api/v1/search",
            params={**PURPOSE, "top": 10},
            json={"text": random.choice(PLAN.descriptions)},
            name="search description",
        )

    @task(2)
    def search_by_photo(self) -> None:
        self.client.post(
            "/api/v1/search/photo",
            params=PURPOSE,
            data=random.choice(PHOTOS),
            headers={"Content-Type": "image/jpeg"},
            name="search photo",
        )

    @task(6)
    def view_record(self) -> None:
        reference = random.choice(PLAN.viewable)
        self.client.get(f"/api/v1/nominals/{reference}", params=PURPOSE, name="view record")

    @task(1)
    def correct_a_record(self) -> None:
        mine = PLAN.editable.get(self.account.agency)
        if not mine:
            return
        reference = random.choice(mine)
        for _ in range(EDIT_ATTEMPTS):
            read = self.client.get(
                f"/api/v1/nominals/{reference}", params=PURPOSE, name="edit: read"
            )
            if read.status_code != 200:
                return
            record = read.json()
            # A height corrected by a centimetre, back and forth: a real new version each time.
            height = record.get("height_cm") or 170
            record["height_cm"] = height + 1 if height % 2 == 0 else height - 1
            with self.client.put(
                f"/api/v1/nominals/{reference}",
                json=record,
                headers={"If-Match": read.headers.get("ETag", "")},
                name="edit: write",
                catch_response=True,
            ) as written:
                if written.status_code == 412:
                    written.success()  # the documented answer to a stale edit: read again
                    continue
                return


class Auditor(SignedInUser):
    weight = 1
    accounts: ClassVar[list[Account]] = PLAN.auditors

    @task(3)
    def browse_today(self) -> None:
        since = dt.datetime.now(dt.UTC).date().isoformat()
        first = self.client.get(
            "/api/v1/audit/entries", params={"since": since, "limit": 50}, name="audit log"
        )
        cursor = first.json().get("next_cursor") if first.status_code == 200 else None
        if cursor:
            self.client.get(
                "/api/v1/audit/entries",
                params={"since": since, "limit": 50, "cursor": cursor},
                name="audit log",
            )

    @task(1)
    def who_looked_at_a_record(self) -> None:
        self.client.get(
            "/api/v1/audit/entries",
            params={"reference": random.choice(PLAN.viewable), "limit": 50},
            name="audit log by record",
        )
