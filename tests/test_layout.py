"""The house keeps its shape: imports flow one way, routes hold no queries, no import circles."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "cli", "jobs", "profiles", "matching", "fixtures", "console")
FORBIDDEN = {
    "matching": {"api", "cli", "profiles", "jobs", "fixtures", "console"},
    "profiles": {"api", "cli", "jobs", "console"},
    "fixtures": {"api", "cli", "jobs", "console"},
    "jobs": {"api", "cli", "console"},
    "cli": {"api", "console"},
}
# A query in a route: SQL belongs to the domain packages, routes parse, call and return.
QUERY = re.compile(r"\bselect\(|\bsession\.(exec|execute|get|query|scalar|scalars)\(")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imported(path: Path, name: str) -> set[str]:
    """Every module of ours that ``path`` imports, at any depth of the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in MODULES and t != name}


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_flow_one_way(package: str) -> None:
    offenders = {
        name: sorted(_top(_imported(path, name)) & FORBIDDEN[package])
        for name, path in MODULES.items()
        if name.split(".")[0] == package
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_routes_hold_no_queries() -> None:
    routes = [*(ROOT / "api" / "routes").glob("*.py"), *(ROOT / "console" / "pages").glob("*.py")]
    offenders = {
        path.name: [line.strip() for line in path.read_text().splitlines() if QUERY.search(line)]
        for path in routes
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others() -> None:
    graph = {name: _imported(path, name) for name, path in MODULES.items()}
    # A package's __init__ re-exporting its own modules is not a circle.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(f"{name}.")}
    assert _circles(graph) == []


def test_the_layout_checks_see_the_code() -> None:
    """Guard the guards: the module scan finds the packages, and the query pattern bites."""
    assert {"api.main", "profiles.repository", "matching.engine", "jobs.tasks"} <= set(MODULES)
    assert QUERY.search("rows = session.exec(select(City)).all()")
    assert _circles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
