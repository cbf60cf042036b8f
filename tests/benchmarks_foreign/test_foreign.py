"""The foreign benchmark's noise model, generator and oracle agree with each other."""

import random
from typing import Any

import numpy as np
import pytest

from benchmarks.foreign import generate, noise
from benchmarks.foreign.oracle import Oracle, rank
from visor.synthetic import NominalGenerator

SMALL = list(NominalGenerator(seed=7, as_of=generate.AS_OF).nominals(300))


@pytest.fixture(autouse=True)
def small_register(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "register", lambda: SMALL)


def test_channels_are_distributions() -> None:
    r = SMALL[0]
    dists: list[dict[str, float]] = [
        noise.sex_channel("U"),
        noise.ethnic_channel("IC6"),
        noise.build_channel("stocky"),
        noise.head_channel("light brown", "short"),
        noise.head_channel("bald", None),
        noise.facial_channel("goatee", "victim"),
        noise.facial_channel(None, "lay"),
        noise.eye_channel("hazel"),
        noise.accent_channel("tyneside"),
        noise.area_channel(*noise.home(r)),
        noise.location_channel("left forearm"),
        noise.motif_channel("swallow in flight"),
        noise.heard_channel("Dave", "forename", "M"),
    ]
    for d in dists:
        assert sum(d.values()) == pytest.approx(1.0)


def test_generator_is_reproducible() -> None:
    def once() -> list[Any]:
        rng = random.Random(3)
        return [generate.observe(rng, t, "radio", False) for t in SMALL[:20]]

    assert once() == once()


def test_oracle_never_rules_out_the_target_and_usually_finds_it() -> None:
    oracle = Oracle(SMALL)
    rng = random.Random(11)
    ranks = []
    for i, target in enumerate(SMALL[:40]):
        style = noise.STYLES[i % 4]
        obs = generate.observe(rng, target, style, medium=i % 2 == 0)
        factors = oracle.factors(obs, style, i % 2 == 0)
        assert all(f[i] > 0 for f in factors.values()), obs
        ranks.append(rank(oracle.loglik(obs, style, i % 2 == 0), i))
    assert np.mean(np.array(ranks) < 10) > 0.6
