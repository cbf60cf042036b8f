"""The pages as served (uvicorn, the register on SQLite): a page's images load side by
side, each request checking the same session, and none may fail for it."""

import re
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.web.demo import DemoRegister
from visor.demo import witness_description


def test_a_results_pages_thumbnails_all_load_when_fetched_at_once(
    server: str, demo: DemoRegister
) -> None:
    with httpx.Client(base_url=server) as client:
        signed_in = client.post(
            "/sign-in",
            data={"username": "gmp.officer", "password": demo.passwords["gmp.officer"]},
            follow_redirects=True,
        )
        assert signed_in.status_code == 200
        wanted = demo.with_marked_face("GMP")[0]
        page = client.get("/search", params={"text": witness_description(wanted)}).text
        images = re.findall(r'src="(/nominals/[^"]+/photos/[0-9a-f]{64})"', page)
        assert len(images) >= 3
        with ThreadPoolExecutor(max_workers=len(images)) as pool:
            statuses = list(pool.map(lambda path: client.get(path).status_code, images * 3))
    assert statuses == [200] * len(statuses)
