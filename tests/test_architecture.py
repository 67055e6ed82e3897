"""The house rules of the package layout, checked on the code itself.

- One folder per pipeline stage; at most 12 modules at the package's top level.
- Arrows point down the pipeline only: a module imports the shared layer, its own stage,
  and stages before its own; never a later stage, never in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "kamtibmas_geo"

#: The pipeline, first to last. A stage may import the shared layer (rank 0) and any stage
#: of a lower rank. ``evaluate`` and ``plan`` share a rank: neither may import the other.
RANK = {
    "": 0,  # the shared layer: config, errors, validation, i18n, the writers
    "boundaries": 1,
    "records": 2,
    "calendar": 2,
    "grid": 3,
    "geocode": 4,
    "score": 5,
    "evaluate": 6,
    "plan": 6,
    "render": 7,
    "scale": 7.5,  # the partitioned path on Dask: runs score, plan and render per partition
    "sample": 8,
    "demo": 9,
    "cli": 10,
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2:
        return ""
    head = parts[1]
    if head in RANK:
        return head
    return ""  # a top-level module of the shared layer (or __main__)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kamtibmas_geo"))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").startswith("kamtibmas_geo")
        ):
            found.add(str(node.module))
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PKG.rglob("*.py"))}


def test_top_level_is_small() -> None:
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert len(top) <= 12, top


def test_each_stage_is_a_folder_with_public_names() -> None:
    for stage in RANK:
        if stage in ("", "demo"):
            continue
        init = PKG / stage / "__init__.py"
        assert init.is_file(), stage
        assert "__all__" in init.read_text(encoding="utf-8"), stage


SHARED = [
    m for m in _graph() if _stage(m) == "" and m not in ("kamtibmas_geo", "kamtibmas_geo.__main__")
]


@pytest.mark.parametrize("module", SHARED)
def test_shared_layer_imports_no_stage(module: str) -> None:
    upward = sorted(i for i in _graph()[module] if _stage(i) != "")
    assert not upward, f"{module} (shared layer) imports stages {upward}"


def test_arrows_point_down_the_pipeline() -> None:
    graph = _graph()
    wrong = []
    for module, imported in graph.items():
        if module in ("kamtibmas_geo", "kamtibmas_geo.__main__"):
            continue  # the public surface re-exports every stage
        own = _stage(module)
        for target in imported:
            other = _stage(target)
            if other == own or target == "kamtibmas_geo":
                continue
            if RANK[other] >= RANK[own] and other != "":
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the pipeline:\n" + "\n".join(sorted(wrong))


def test_no_import_circles() -> None:
    graph = _graph()
    modules = set(graph)

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges = {m: {r for i in deps if (r := resolve(i)) and r != m} for m, deps in graph.items()}
    # a package's __init__ re-exports its own modules: that edge is not a circle
    for m in edges:
        edges[m] = {d for d in edges[m] if not m.startswith(d + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)
