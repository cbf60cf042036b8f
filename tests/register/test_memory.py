"""Import memory does not grow with the bundle's size (it streams, a batch at a time)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import visor_env


def peak_rss_kib(bundle: Path, home: Path) -> int:
    process = subprocess.Popen(
        [sys.executable, "-m", "visor.cli", "import", str(bundle), "--json"],
        env=visor_env(home),
        cwd=home.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_maxrss


def write_lines(folder: Path, count: int) -> Path:
    folder.mkdir()
    with (folder / "nominals.jsonl").open("w") as out:
        for i in range(count):
            record = {
                "reference": f"M{i:07d}",
                "names": [{"forename": "Sam", "surname": f"N{i}"}],
                "sex": "M",
                "height_cm": 150 + i % 50,
                "marks": [{"type": "tattoo", "location": "left arm", "description": f"rose {i}"}],
            }
            out.write(json.dumps(record) + "\n")
    return folder


@pytest.mark.slow
def test_a_100k_line_bundle_needs_no_more_memory_than_a_10k_one(tmp_path: Path) -> None:
    small = peak_rss_kib(write_lines(tmp_path / "small", 10_000), tmp_path / "home-small")
    large = peak_rss_kib(write_lines(tmp_path / "large", 100_000), tmp_path / "home-large")
    # Ten times the lines; allow 16 MiB of allocator noise, far below what holding them needs.
    assert large - small < 16 * 1024, (small, large)
