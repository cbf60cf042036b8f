"""The face thumbnails of the results and record pages: served only to a role that may view
the nominal, and each one served recorded as a view of the photo with the page's purpose."""

import re

from fastapi.testclient import TestClient

from register.audit import LogFilter, read_log
from tests.web.demo import DemoRegister
from tests.web.signing_in import sign_in
from visor.demo import witness_description
from visor.services import build_services
from visor.settings import Settings


def _entries(settings: Settings, user: str, action: str) -> list[dict[str, object]]:
    services = build_services(settings)
    try:
        with services.engine.connect() as connection:
            wanted = LogFilter(user=user, action=action)
            return [e.model_dump() for e in read_log(connection, wanted)]
    finally:
        services.close()


def test_a_thumbnail_is_a_recorded_view_of_the_photo_with_the_pages_purpose(
    client: TestClient, demo: DemoRegister, demo_settings: Settings
) -> None:
    wanted = demo.with_marked_face("YH-PROB")[0]
    sign_in(client, demo, "mps.viewer")
    results = client.get(
        "/search", params={"text": witness_description(wanted), "purpose": "op thumb"}
    ).text
    sources = re.findall(r'<img class="thumb" src="([^"]+)"', results)
    ours = next(s for s in sources if f"/nominals/{wanted['reference']}/photos/" in s)
    assert ours.endswith("?purpose=op%20thumb")
    before = len(_entries(demo_settings, "mps.viewer", "photo.view"))
    shown = client.get(ours.replace("&amp;", "&"))
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.content[:3] == b"\xff\xd8\xff"  # a JPEG
    assert "no-store" in shown.headers["cache-control"]
    views = _entries(demo_settings, "mps.viewer", "photo.view")
    assert len(views) == before + 1
    assert views[-1]["purpose"] == "op thumb" and views[-1]["details"] == {"part": "thumbnail"}
    assert wanted["reference"] in views[-1]["references"]  # type: ignore[operator]

    # A role that may not view nominals gets no thumbnail, and the refusal is recorded.
    sign_in(client, demo, "mps.auditor")
    refused = client.get(ours)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert _entries(demo_settings, "mps.auditor", "photo.view") == []
    refusals = _entries(demo_settings, "mps.auditor", "web.nominal_photo")
    assert refusals and refusals[-1]["outcome"] == "refused"
