"""The package boundaries of docs/design.md, checked on the source: what each package may
not import."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "register": {"search", "indexer", "api", "audits"},
    "imaging": {"register", "search", "indexer", "api", "audits"},
    "search": {"indexer", "api", "audits"},
    "indexer": {"api", "audits"},
    "mappings": {"register", "search", "indexer", "api", "imaging", "audits"},
    "audits": {"search", "indexer", "api"},
}


def imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level package of every import in each module of `package`."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_nothing_it_must_not(package: str) -> None:
    crossings = {
        module: sorted(names & FORBIDDEN[package])
        for module, names in imported_packages(package).items()
        if names & FORBIDDEN[package]
    }
    assert crossings == {}
