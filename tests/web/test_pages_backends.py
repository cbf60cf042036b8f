"""The pages on each SQL backend (SQLite and PostgreSQL, the `settings` fixture): sign in,
search, open the record, meet a concurrent edit, and the audit trail of what was done."""

from fastapi.testclient import TestClient

from api.app import create_app
from register.audit import LogFilter, read_log
from tests.api.sign_in import PASSWORD, add_user
from tests.conftest import EXAMPLE_BUNDLE, run_import
from tests.web.signing_in import csrf_of, version_of
from visor.services import Services
from visor.settings import Settings


def test_search_view_and_a_stale_edit_on_each_backend(
    settings: Settings, services: Services
) -> None:
    summary, rejects = run_import(services, EXAMPLE_BUNDLE)
    assert summary.rejected == 0, rejects
    add_user(settings, "web.officer", agency="MPS", roles=("officer",))
    add_user(settings, "web.auditor", agency="MPS", roles=("auditor", "viewer"))
    with TestClient(create_app(settings), base_url="http://localhost") as client:
        client.post("/sign-in", data={"username": "web.officer", "password": PASSWORD})
        found = client.get(
            "/search", params={"text": "stocky man with a tattoo on his left forearm"}
        )
        assert found.status_code == 200
        assert 'href="/nominals/EX0001"' in found.text
        edit = client.get("/nominals/EX0001/edit").text
        csrf, version = csrf_of(edit), version_of(edit)
        first = {"csrf_token": csrf, "version": str(version), "accent": "Cockney"}
        assert client.post("/nominals/EX0001/edit", data=first).status_code == 200
        second = {"csrf_token": csrf, "version": str(version), "build": "slim"}
        stale = client.post("/nominals/EX0001/edit", data=second)
        assert stale.status_code == 409 and "Cockney" in stale.text

        client.post("/sign-in", data={"username": "web.auditor", "password": PASSWORD})
        record = client.get("/nominals/EX0001")
        viewers = record.text.split('id="viewers"')[1].split("</table>")[0]
        assert "web.officer" in viewers and "web.auditor" in viewers
        log = client.get("/audit-log", params={"reference": "EX0001"})
        assert "nominal.update" in log.text and "web.officer" in log.text
    with services.engine.connect() as connection:
        actions = [e.action for e in read_log(connection, LogFilter(user="web.officer"))]
    assert actions.count("nominal.update") == 1 and "search" in actions
