"""Settings are checked when built: each bad one is refused in a line naming its variable."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from foundation.errors import InvalidInput
from visor.security import check_purpose
from visor.settings import Settings, setting_problems


def problems(**values: object) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        Settings(**values)  # type: ignore[arg-type]
    return setting_problems(refused.value)


def test_paths_that_must_be_folders_are_folders(tmp_path: Path) -> None:
    a_file = tmp_path / "passwd"
    a_file.write_text("root:x:0:0\n")
    assert problems(home=a_file) == [f"VISOR_HOME: {a_file} is not a folder"]
    assert problems(home=a_file / "x") == [
        f"VISOR_HOME: {a_file / 'x'} cannot be a folder: {a_file} is a file"
    ]
    assert Settings(home=tmp_path / "new" / "home").home == tmp_path / "new" / "home"


def test_a_sqlite_database_folder_must_exist_and_is_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    assert problems(home=tmp_path, database_url=f"sqlite:///{missing}/x.db") == [
        f"VISOR_DATABASE_URL: the SQLite database's folder {missing} does not exist"
    ]
    assert not missing.exists()
    assert problems(home=tmp_path, database_url=f"sqlite:///{tmp_path}") == [
        f"VISOR_DATABASE_URL: {tmp_path} is a folder, not a SQLite database file"
    ]
    assert Settings(home=tmp_path, database_url="sqlite://").database_url == "sqlite://"


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"database_url": "not a url"}, "VISOR_DATABASE_URL: not a database URL"),
        ({"database_url": "mysql://u@h/d"}, "VISOR_DATABASE_URL: mysql is not supported"),
        ({"opensearch_url": "not a url"}, "VISOR_OPENSEARCH_URL: must be a URL without spaces"),
        ({"opensearch_url": "ftp://host"}, "VISOR_OPENSEARCH_URL: must be an http:// or https://"),
        ({"opensearch_url": "https://"}, "VISOR_OPENSEARCH_URL: must be an http:// or https://"),
        ({"opensearch_url": "http://h:99999"}, "VISOR_OPENSEARCH_URL: not a valid URL"),
        (
            {"opensearch_ca_certs": "/nonexistent/ca.pem"},
            "VISOR_OPENSEARCH_CA_CERTS: /nonexistent/ca.pem does not exist",
        ),
        ({"opensearch_index_prefix": "Bad Prefix"}, "VISOR_OPENSEARCH_INDEX_PREFIX: String"),
        ({"import_batch_size": 0}, "VISOR_IMPORT_BATCH_SIZE: Input should be greater"),
        ({"trusted_hosts": "a*b"}, "VISOR_TRUSTED_HOSTS: 'a*b' is not a host name"),
        ({"trusted_hosts": " , "}, "VISOR_TRUSTED_HOSTS: name at least one host"),
    ],
)
def test_bad_values_are_named_in_one_line_each(
    tmp_path: Path, values: dict[str, object], problem: str
) -> None:
    found = problems(home=tmp_path, **values)
    assert len(found) == 1 and found[0].startswith(problem), found


def test_a_password_in_a_url_is_never_repeated(tmp_path: Path) -> None:
    found = problems(home=tmp_path, database_url="postgresql://u:s3cret@h:port/d")
    found += problems(home=tmp_path, opensearch_url="https://u:s3cret@h:port")
    assert found and not [line for line in found if "s3cret" in line]


def test_trusted_hosts_read_from_the_environment_as_a_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISOR_TRUSTED_HOSTS", "visor.example, *.police.example,10.0.0.5")
    assert Settings(home=tmp_path).trusted_hosts == (
        "visor.example",
        "*.police.example",
        "10.0.0.5",
    )
    monkeypatch.delenv("VISOR_TRUSTED_HOSTS")
    assert Settings(home=tmp_path).trusted_hosts == ("localhost", "127.0.0.1", "[::1]")


@pytest.mark.parametrize("purpose", ["case 1\x00", "op\x1b[31mred", "line\nbreak"])
def test_a_purpose_with_control_characters_is_refused(tmp_path: Path, purpose: str) -> None:
    # Found by schemathesis: a NUL in ?purpose= reached PostgreSQL's audit insert (a 500).
    settings = Settings(home=tmp_path)
    with pytest.raises(InvalidInput, match="control characters"):
        check_purpose(settings, purpose)
    assert check_purpose(settings, "  Op Kestrel, case 26/1234 ") == "Op Kestrel, case 26/1234"
