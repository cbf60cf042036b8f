"""Signing a TestClient in through the sign-in page, and the CSRF token a page carries."""

import re

from fastapi.testclient import TestClient

from tests.web.demo import DemoRegister


def sign_in(client: TestClient, demo: DemoRegister, username: str) -> None:
    answer = client.post(
        "/sign-in", data={"username": username, "password": demo.passwords[username]}
    )
    # The search page follows (an auditor, who may not search, goes on to the audit log).
    assert answer.url.path in ("/search", "/audit-log"), answer.text[-500:]
    assert "Sign out" in answer.text, answer.text[-500:]


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def version_of(page: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "the edit form carries no version"
    return int(found.group(1))
