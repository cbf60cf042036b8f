"""`visor search` over a synthetic register, as a user or a script would run it."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import visor, visor_env
from tests.conftest import read_jsonl
from visor.synthetic import write_bundle


@pytest.fixture(scope="module")
def register_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("search")
    bundle = write_bundle(folder / "bundle", 400, seed=9)
    home = folder / "home"
    assert visor("import", str(bundle), env=visor_env(home), cwd=folder).returncode == 0
    return home, read_jsonl(bundle / "nominals.jsonl")


def describe(record: dict[str, Any]) -> dict[str, Any]:
    """A structured query built from what a witness could see of the record."""
    query: dict[str, Any] = {
        "query_id": record["reference"],
        "as_of": "2026-01-01",
        "sex": record["sex"],
        "filters": {"status": "any"},
    }
    for part in ("build", "hair_colour", "eye_colour", "accent"):
        if part in record:
            query[part] = record[part]
    if "height_cm" in record:
        query["height_cm"] = {"min": record["height_cm"] - 5, "max": record["height_cm"] + 5}
    query["marks"] = [
        {"type": m["type"], "location": m["location"], "description": m.get("description", "")}
        for m in record["marks"][:2]
    ]
    return query


def test_structured_queries_find_their_nominal_first(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    home, records = register_home
    chosen = [r for r in records if len(r["marks"]) >= 2][:10]
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(json.dumps(describe(r)) for r in chosen) + "\n")
    result = visor(
        "search",
        "--query-file",
        str(queries),
        "--top",
        "5",
        "--json",
        env=visor_env(home),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["query_id"] for a in answers] == [r["reference"] for r in chosen]
    firsts = [a["candidates"][0]["reference"] for a in answers]
    assert sum(f == r["reference"] for f, r in zip(firsts, chosen, strict=True)) >= 9
    candidate = answers[0]["candidates"][0]
    assert set(candidate) == {"reference", "score", "explanation", "as_high", "as_high_exact"}
    assert candidate["as_high"] >= 1
    assert set(candidate["explanation"][0]) == {"attribute", "asked", "found", "contribution"}


def test_free_text_search_says_what_it_understood(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    home, _records = register_home
    text = "white man about 40, stocky, tattoo on his left arm, wearing a purple anorak"
    result = visor(
        "search",
        "--text",
        text,
        "--top",
        "3",
        "--json",
        "--as-of",
        "2026-01-01",
        env=visor_env(home),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["query"]["sex"] == "M" and answer["query"]["age"] == {"min": 37, "max": 43}
    assert answer["not_evidence"] == ['clothing: "wearing a purple anorak"']
    assert answer["not_understood"] == []
    assert len(answer["candidates"]) == 3
    scores = [c["score"] for c in answer["candidates"]]
    assert scores == sorted(scores, reverse=True)


def test_bad_queries_get_a_clear_error_line_and_the_rest_are_answered(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    home, _records = register_home
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            [
                json.dumps({"query_id": "bad", "age": {"min": 50, "max": 30}}),
                json.dumps({"query_id": "good", "sex": "M", "build": "stocky"}),
                json.dumps({"query_id": "empty", "text": ""}),
            ]
        )
        + "\n"
    )
    result = visor(
        "search", "--query-file", str(queries), "--json", env=visor_env(home), cwd=tmp_path
    )
    assert result.returncode == 2
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["query_id"] for a in answers] == ["bad", "good", "empty"]
    assert "min 50 is greater than max 30" in answers[0]["error"]
    assert answers[1]["candidates"]
    assert "nothing in the description could be used" in answers[2]["error"]


@pytest.mark.parametrize(
    "text",
    ["x" * 5000, "男人, 🐍 tattoo", "'; DROP TABLE nominals; -- <script>alert(1)</script> man"],
)
def test_hostile_text_never_crashes(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path, text: str
) -> None:
    home, _records = register_home
    result = visor("search", "--text", text, "--json", env=visor_env(home), cwd=tmp_path)
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 5000 + b"]" * 5000, "line 1: invalid JSON: nested deeper than 32 levels"),
        (b'{"sex": "M", "age": {"min": ' + b"9" * 5000 + b"}}", "a number longer than 40"),
        (b'{"text": "white man \\ud800"}', "text: contains an unpaired surrogate"),
        (b'{"sex": "M", "sex": "F"}', "duplicate key 'sex'"),
        (b'{"eye_colour": "purple"}', "'purple' is not a known eye colour; known: blue, grey"),
        (b'{"build": "xxxxx"}', "'xxxxx' is not a known build; known: thin, slim, medium"),
        (b'{"as_of": "9999-12-31", "sex": "M"}', "as_of: 9999-12-31 is in the future"),
        (b'{"age": {"min": 50, "max": 30}}', "invalid query: age: min 50 is greater than max 30"),
        (json.dumps({"marks": [{"type": "scar"}] * 21}).encode(), "marks: is too long (21 items"),
        (b'{"text": "unterminated', "Unterminated string starting at column 10"),
    ],
)
def test_a_query_file_that_cannot_be_read_or_answered_gets_a_clear_error(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path, content: bytes, message: str
) -> None:
    home, _records = register_home
    queries = tmp_path / "q.json"
    queries.write_bytes(content)
    result = visor("search", "--query-file", str(queries), env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stdout, result.stdout
    assert "Traceback" not in result.stderr and "pydantic" not in result.stdout
    assert "at at" not in result.stdout and "{'type': 'scar'}" not in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds no queries (it is empty)"),
        (b"\n  \n", "holds no queries (it is empty)"),
        (bytes(range(256)) * 4, "is not UTF-8 text"),
        (b'{\n  "sex": "M",\n  "sex": "F"\n}\n', "invalid JSON: duplicate key 'sex'"),
    ],
)
def test_a_query_file_that_is_empty_or_not_text_is_a_usage_error(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path, content: bytes, message: str
) -> None:
    home, _records = register_home
    queries = tmp_path / "q.json"
    queries.write_bytes(content)
    result = visor("search", "--query-file", str(queries), env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_query_file_of_one_query_over_many_lines_and_queries_from_stdin(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    home, _records = register_home
    pretty = tmp_path / "q.json"
    pretty.write_text(json.dumps({"query_id": "P", "sex": "M", "build": "stocky"}, indent=2))
    result = visor(
        "search", "--query-file", str(pretty), "--json", env=visor_env(home), cwd=tmp_path
    )
    assert result.returncode == 0 and json.loads(result.stdout)["query_id"] == "P"
    lines = b'{"query_id": "A", "sex": "M"}\n{"query_id": "B", "sex": "F"}\n'
    piped = visor(
        "search", "--query-file", "-", "--json", env=visor_env(home), cwd=tmp_path, stdin=lines
    )
    assert piped.returncode == 0, piped.stderr
    assert [json.loads(line)["query_id"] for line in piped.stdout.splitlines()] == ["A", "B"]


def test_a_bad_line_among_queries_is_answered_with_its_error_and_the_rest_answered(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    home, _records = register_home
    queries = tmp_path / "q.jsonl"
    queries.write_bytes(b'{"query_id": "A", "sex": "M"}\n' + b"[" * 100 + b"\n" + b'{"sex": "F"}\n')
    result = visor(
        "search", "--query-file", str(queries), "--json", env=visor_env(home), cwd=tmp_path
    )
    assert result.returncode == 2
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [bool(a["candidates"]) for a in answers] == [True, False, True]
    assert answers[1]["error"].startswith("line 2: invalid JSON: nested deeper than 32 levels")


def test_as_of_that_cannot_be_an_incident_date_is_a_usage_error(
    register_home: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    home, _records = register_home
    for day, message in (
        ("9999-12-31", "is in the future"),
        ("1066-10-14", "is before 1900-01-01"),
    ):
        result = visor("search", "--text", "man", "--as-of", day, env=visor_env(home), cwd=tmp_path)
        assert result.returncode == 2 and f"--as-of: {day} {message}" in result.stderr
