"""The tree's rules, checked on the source: who may import whom, no cycles, no private names.

ui, rag.cli, rag.serve → rag.api → rag.answer → rag.search → rag.index; ingest writes
through rag.index; the leaves (config, errors, tuning, text, models) import no layer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEAVES = ("rag.config", "rag.errors", "rag.tuning", "rag.text", "rag.models")
# What each part of the project may import from the project (besides itself and the leaves).
ALLOWED: dict[str, tuple[str, ...]] = {
    "rag.config": (),
    "rag.errors": (),
    "rag.tuning": (),
    "rag.text": (),
    "rag.models": (),
    "rag.index": (),
    "rag.search": ("rag.index",),
    "rag.answer": ("rag.index", "rag.search"),
    "ingest": ("rag.index",),
    "rag.jobs": (),  # the job runner: knows no work
    "rag.db": (),  # the user's saved data: knows no index
    "rag.watch": ("rag.db", "rag.answer", "rag.search"),  # whether a story moved; alerts out
    "rag.background": ("ingest", "rag.jobs"),  # the index-writing work as jobs
    "rag.api": (
        "rag.index",
        "rag.search",
        "rag.answer",
        "ingest",
        "rag.background",
        "rag.db",
        "rag.jobs",
        "rag.watch",
    ),  # fmt: skip
    "rag.evaluation": ("rag.api", "rag.answer.types", "rag.search.filters"),  # the questions' flags
    # and the root's names; citations for how a re-shown answer reads
    "rag.cli": (
        "rag.api",
        "rag.evaluation",
        "rag.serve",
        "rag.answer.types",
        "rag.answer.citations",
    ),  # fmt: skip
    "rag.serve": ("rag.api", "rag.answer.types", "rag.answer.citations", "rag.watch"),  # + root
    "ui": ("rag",),  # the package root's public names, and rag.errors (a leaf)
}
OURS = ("rag", "ingest", "ui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import, in functions too (a lazy import is still a dependency), except the
    ones only type checkers see."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import loads: `from rag.cli import corpus` loads rag.cli.corpus."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    module = node.module or ""
    subs = [f"{module}.{a.name}" for a in node.names if _is_module(f"{module}.{a.name}")]
    return subs or [module]


def _ours(module: str) -> bool:
    return module.split(".")[0] in OURS


def _part(module: str) -> str:
    """The entry of ALLOWED a module belongs to (the longest matching prefix)."""
    matches = [p for p in ALLOWED if module == p or module.startswith(p + ".")]
    return max(matches, key=len) if matches else module


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _sources(*OURS):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[_module_name(path)] = {
            target for node in _imports(tree) for target in _targets(node) if _ours(target)
        }
    return graph


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("module", sorted(_graph()))
def test_imports_point_down_the_layers(module: str) -> None:
    if module == "rag":  # the package root names its public types lazily
        return
    part = _part(module)
    assert part in ALLOWED, f"{module} is in no part of the tree: add it to ALLOWED"
    allowed = (part, *LEAVES, *ALLOWED[part])
    if part == "ui":
        allowed = ("ui", "rag.errors")
    for target in _graph()[module]:
        ok = _within(target, allowed) or (
            part in ("ui", "rag.cli", "rag.serve") and target == "rag"
        )
        assert ok, f"{module} imports {target}"


def test_no_import_cycles() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + [module]
            pytest.fail("import cycle: " + " → ".join(cycle))
        if module in done:
            return
        for target in graph.get(module, ()):
            if target not in ("rag", module):  # the lazy package root is no real edge
                visit(target, [*path, module])
        done.add(module)

    for module in graph:
        visit(module, [])


def _private_uses(path: Path) -> Iterator[str]:
    """Private names of ours used from outside (another library's, like argparse's, may be)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    foreign = {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if not _ours(alias.name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _ours(node.module or ""):
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield f"from {node.module} import {alias.name}"
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (
                isinstance(node.value, ast.Name) and node.value.id in {"self", "cls", *foreign}
            )
        ):
            yield f"line {node.lineno}: .{node.attr}"


@pytest.mark.parametrize(
    "path",
    [*_sources("ui", "tests", "bench", "rag/cli", "rag/evaluation")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_callers_use_no_private_names(path: Path) -> None:
    assert list(_private_uses(path)) == []


@pytest.mark.parametrize(
    "path", [p for p in _sources("tests") if "ingest" not in p.parts], ids=lambda p: p.name
)
def test_tests_reach_ingest_only_through_the_api(path: Path) -> None:
    """Outside tests/ingest, the reindex is `Assistant.reindex` like for any caller."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = [t for node in _imports(tree) for t in _targets(node) if t.split(".")[0] == "ingest"]
    assert used == []
