"""The package boundaries of docs/design.md, checked on the source: what each package may
not import."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"register", "imaging", "search", "indexer", "api", "audits", "mappings", "visor"}
FORBIDDEN = {
    "register": {"search", "indexer", "api", "audits", "visor"},
    "imaging": {"register", "search", "indexer", "api", "audits", "visor"},
    "search": {"indexer", "api", "audits", "visor"},
    "indexer": {"api", "audits", "visor"},
    "mappings": {"register", "search", "indexer", "api", "imaging", "audits", "visor"},
    "audits": {"search", "indexer", "api", "visor"},
    # The leaf every package may import: it imports none of them.
    "foundation": PACKAGES,
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


def _modules_importing(package: str, module: str) -> set[str]:
    """The modules of `package` that import `module` (as `from x import y` or `import x.y`)."""
    parent, _, name = module.rpartition(".")
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and (
                    node.module == module
                    or (node.module == parent and any(a.name == name for a in node.names))
                )
            ) or (isinstance(node, ast.Import) and any(a.name == module for a in node.names)):
                found.add(str(path.relative_to(ROOT)))
    return found


def test_only_the_comparison_declarations_read_the_weights() -> None:
    """Every weight reaches a backend through `search/comparisons.py` (and the arithmetic
    it shares, `search/evidence.py`): a backend that read a weight itself would be writing
    its own formula with it."""
    assert _modules_importing("search", "search.weights") == {
        "search/comparisons.py",
        "search/evidence.py",
    }
