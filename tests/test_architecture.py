"""The import graph of training's top-level packages has no cycle (docs/architecture.md draws the layers).

Built with `ast` from the source, not by importing: every `import` and `from … import` counts, at module level,
inside functions (a deferred import is still a dependency, only a hidden one) and under TYPE_CHECKING alike.
The nodes are the packages (folders with __init__.py); the top-level modules are not nodes: app.py, cli.py,
demo.py and piccolo_app.py wire every package together and nothing imports them, the rest (config, i18n, keys,
crypto, errors, files, paths, …) are infrastructure any package may import.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import training

ROOT = Path(training.__file__).resolve().parent

Edges = dict[tuple[str, str], list[str]]


def packages() -> set[str]:
    return {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}


def _imported(node: ast.Import | ast.ImportFrom, module: tuple[str, ...]) -> Iterator[str]:
    """Dotted names an import statement reaches; `module` is the importing module's dotted parts (a package's
    ending in "__init__"), so a relative import drops `level` parts of it."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = ".".join(module[: len(module) - node.level]) if node.level else ""
    name = ".".join(part for part in (base, node.module or "") if part)
    yield name
    yield from (f"{name}.{alias.name}" for alias in node.names)  # `from training import db, people`


def import_graph() -> Edges:
    """(importing package, imported package) → the places ("file:line") of the imports."""
    nodes = packages()
    edges: Edges = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        parts = ("training", *path.relative_to(ROOT).with_suffix("").parts)
        source = parts[1]
        if source not in nodes:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            reached = {name.split(".")[1] for name in _imported(node, parts) if name.startswith("training.")}
            for target in sorted(reached & nodes - {source}):
                edges[(source, target)].append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return dict(edges)


def cycles(edges: Edges) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan), each sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted({n for edge in edges for n in edge}):
        if node not in index:
            visit(node)
    return found


def describe(component: list[str], edges: Edges) -> str:
    members = set(component)
    lines = [f"cycle between {', '.join(component)}:"]
    for (source, target), places in sorted(edges.items()):
        if source in members and target in members:
            lines.append(f"  {source} -> {target}: {', '.join(places[:3])}{' …' if len(places) > 3 else ''}")
    return "\n".join(lines)


def test_the_graph_sees_every_kind_of_import() -> None:
    edges = import_graph()
    assert ("web", "core") in edges  # module level
    assert all(not source.startswith("__") for source, _ in edges)


def test_no_import_cycle_between_packages() -> None:
    edges = import_graph()
    found = cycles(edges)
    assert not found, "\n\n".join(describe(component, edges) for component in found)


def test_core_imports_no_package() -> None:
    edges = import_graph()
    assert [edge for edge in edges if edge[0] == "core"] == []


def test_a_cycle_is_named() -> None:
    edges = {("a", "b"): ["a.py:1"], ("b", "c"): ["b.py:2"], ("c", "a"): ["c.py:3"], ("c", "d"): ["c.py:4"]}
    assert cycles(edges) == [["a", "b", "c"]]
    assert "c -> a: c.py:3" in describe(["a", "b", "c"], edges)
