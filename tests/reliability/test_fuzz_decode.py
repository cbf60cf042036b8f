"""The coverage-guided fuzz run of decode-and-re-encode (tests/reliability/fuzz_decode.py),
bounded for CI: 2,000 executions in a subprocess of its own (libFuzzer ends the process at a
finding), none of which may find anything."""

import subprocess
import sys
from pathlib import Path

import pytest

import tests

ROOT = Path(tests.__file__).resolve().parents[1]  # the repository, where `-m tests...` runs
RUNS = 2000


@pytest.mark.slow
def test_a_bounded_fuzz_run_finds_nothing(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.reliability.fuzz_decode",
            f"-atheris_runs={RUNS}",
            "-rss_limit_mb=2048",
            "-timeout=30",
            f"-artifact_prefix={tmp_path}/",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = completed.stderr + completed.stdout
    assert completed.returncode == 0, log[-4000:]
    assert f"Done {RUNS} " in log
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("oom-*"))


def test_the_seeds_decode_and_re_encode() -> None:
    from tests.reliability.fuzz_decode import seeds, test_one_input

    for content in seeds().values():
        test_one_input(content)
