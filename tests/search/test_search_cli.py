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
