"""The promises the documentation makes stay true."""

import re
from pathlib import Path

from tests.conftest import EXAMPLE_BUNDLE
from visor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def readme_commands() -> list[str]:
    """The commands in the README's first two shell blocks."""
    blocks = re.findall(r"```(?:sh|bash|shell)\n(.*?)```", README, flags=re.S)
    return [block.strip() for block in blocks[:2]]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    _run_demo, run_tests = readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert ci_lines[-1].strip() == run_tests


def test_readme_first_command_installs_and_runs_the_demo() -> None:
    run_demo, _run_tests = readme_commands()
    assert "pip install" in run_demo and "visor demo" in run_demo


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"VISOR_{name.upper()}" in README, f"README does not document VISOR_{name.upper()}"


def test_every_cli_command_is_documented() -> None:
    import argparse

    from visor.cli import build_parser

    parser = build_parser()
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for command in subparsers[0].choices:
        assert f"visor {command}" in README, f"README does not document `visor {command}`"


def test_the_repository_stands_alone() -> None:
    """A user clones only this repository: nothing may reach for files beside it."""
    outside = re.compile(r"\.\./shared|parents\[2\]")
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".md", ".toml", ".yml", ".yaml", ".sh", ".json", ""}
        and not any(part.startswith(".") or part.endswith(".egg-info") for part in path.parts)
        and outside.search(path.read_text("utf-8", errors="replace"))
        and path != Path(__file__)
    ]
    assert offenders == []


def test_the_docs_name_files_that_exist() -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for named in re.findall(r"`((?:docs|register|search)/[\w./-]+)`", page.read_text()):
            assert (ROOT / named).exists(), f"{page.name} names {named}, which does not exist"
    assert (ROOT / "LICENSE").read_text().startswith(" " * 33 + "Apache License")
    assert EXAMPLE_BUNDLE.is_dir()
