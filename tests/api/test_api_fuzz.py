"""Fuzz the API's readers: any search body or photo body gets an answer or a 422 with its
reason, never a 500."""

from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from tests.adversarial import hostile_json, noise, query_documents
from tests.api.sign_in import sign_in
from tests.conftest import run_import
from visor.services import build_services
from visor.settings import Settings
from visor.synthetic import write_bundle

GOOD = {"query_id": "Q", "text": "stocky man, snake tattoo", "eye_colour": "blue"}

bodies = query_documents(GOOD)
parameters = st.fixed_dictionaries(
    {},
    optional={
        "top": st.integers(min_value=-5, max_value=600).map(str) | st.text(max_size=5),
        "as_of": st.dates().map(str) | st.text(max_size=12),
    },
)


def test_any_body_is_answered_or_refused_with_a_reason(settings: Settings, tmp_path: Path) -> None:
    services = build_services(settings)
    run_import(services, write_bundle(tmp_path / "bundle", 30, seed=4))
    services.close()
    with TestClient(create_app(settings), base_url="http://localhost") as client:
        sign_in(client, settings)

        @settings_for_fuzz
        @given(bodies, parameters)
        def search(body: bytes, params: dict[str, str]) -> None:
            answer = client.post("/api/v1/search", content=body, params=params)
            assert answer.status_code in (200, 422), (body[:80], answer.text[:200])
            if answer.status_code == 422:
                refusal = answer.json()
                assert refusal.get("error") or refusal.get("detail")  # ours, or FastAPI's
            else:
                assert "candidates" in answer.json()

        @settings_for_fuzz
        @given(noise() | hostile_json(["x"]))
        def photo(body: bytes) -> None:
            answer = client.post("/api/v1/search/photo", content=body)
            assert answer.status_code in (200, 422), answer.text[:200]

        search()
        photo()


settings_for_fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
