"""What the simulated users do: who signs in, which witness descriptions and photos they
search with, which records they view and may edit. Written as JSON beside a demo register
(benchmarks/load/demo_plan.py) and read by the locustfile from VISOR_LOAD_PLAN: locust runs
in a process of its own, under gevent, and imports nothing of visor but this.
"""

import os
from pathlib import Path

from pydantic import BaseModel

PLAN_VARIABLE = "VISOR_LOAD_PLAN"


class Account(BaseModel):
    username: str
    password: str
    agency: str


class LoadPlan(BaseModel):
    officers: list[Account]
    auditors: list[Account]
    descriptions: list[str]
    photos: list[str]  # paths of demo photos, searched for as a witness's photo would be
    viewable: list[str]  # live references any officer may view
    editable: dict[str, list[str]]  # agency -> live references it manages


def read_plan() -> LoadPlan:
    return LoadPlan.model_validate_json(Path(os.environ[PLAN_VARIABLE]).read_text("utf-8"))
