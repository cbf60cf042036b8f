"""Fuzz `visor search --query-file`: any file ends in answers, each query's own error, or a
usage error (exit 2) with a message, never a traceback."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.adversarial import mutated, noise, query_documents
from visor.cli import main
from visor.synthetic import write_bundle

GOOD = {"query_id": "Q", "sex": "M", "build": "stocky", "age": {"min": 20, "max": 40}}

query_lines = query_documents(GOOD)
query_files = st.one_of(
    st.lists(query_lines, max_size=6).map(b"\n".join),
    noise(),
    mutated(GOOD).map(lambda line: line.replace(b", ", b",\n  ")),  # one query over lines
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-search")
    bundle = write_bundle(folder / "bundle", 40, seed=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VISOR_HOME", str(folder / "home"))
        patch.chdir(folder)
        assert main(["import", str(bundle)]) == 0
    return folder / "home"


def test_any_query_file_is_answered_or_refused_clearly(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VISOR_HOME", str(home))
    queries = tmp_path / "queries"

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(query_files)
    def check(content: bytes) -> None:
        queries.write_bytes(content)
        code = main(["search", "--query-file", str(queries), "--json", "--top", "3"])
        out, err = capsys.readouterr()
        assert code in (0, 2), err
        assert "Traceback" not in err
        answers = [json.loads(line) for line in out.splitlines()]
        if code == 0:
            assert answers and all("candidates" in a and "error" not in a for a in answers)
        else:
            refused = [a["error"] for a in answers if "error" in a]
            assert refused or err.startswith("visor: "), (out, err)
            assert all(isinstance(e, str) and e for e in refused)

    check()
