"""The import rules of ARCHITECTURE.md, read from the source (every import, also those
inside functions): break one and this fails with the file and the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "peercare"


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _target(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports() -> dict[str, set[str]]:
    """Each module of the package -> every module it imports (ours and others')."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module, found = _module(path), set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                target = _target(module, node, path.name == "__init__.py")
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names}
        graph[module] = found
    return graph


GRAPH = imports()
# the folders and top-level modules of the package (``contract`` and ``paths`` serve them all)
OURS = ("peercare.content", "peercare.book", "peercare.serving", "peercare.apps",
        "peercare.store", "peercare.certification", "peercare.evaluation", "peercare.rehearse",
        "peercare.cli", "peercare.codes", "peercare.live", "peercare.moderation")  # fmt: skip


def _except(*allowed: str) -> tuple[str, ...]:
    return tuple(m for m in OURS if m not in allowed)


def _breaks(modules: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{m} imports {i}"
        for m, found in GRAPH.items()
        if m == modules or m.startswith(modules + ".")
        for i in found
        if any(i == f or i.startswith(f + ".") for f in forbidden)
    )


@pytest.mark.parametrize(
    ("modules", "forbidden", "why"),
    [
        ("peercare.evaluation", ("peercare.store",), "evaluation reads exports, never the store"),
        ("peercare.contract", ("peercare",), "the contract is standard library only"),
        ("peercare.codes", ("peercare",), "codes are standard library only"),
        ("peercare.live", ("peercare.store", "peercare.evaluation", "pandas", "scipy"), "live"),
        ("peercare.apps", ("peercare.evaluation", "pandas", "scipy"), "participant kernels"),
        ("peercare.store", ("peercare.live", "peercare.evaluation", "pandas"), "the store"),
        (
            "peercare.content.prose",
            ("peercare.content.check", "peercare.content.itemrules", "peercare.content.plans"),
            "prose",
        ),
        ("peercare.content", _except("peercare.content"), "content is the floor"),
        ("peercare.book", _except("peercare.content", "peercare.book"), "the book needs no server"),
        (
            "peercare.serving",
            (
                "peercare.apps",
                "peercare.book",
                "peercare.certification",
                "peercare.evaluation",
                "peercare.rehearse",
            ),
            "serving runs notebooks",
        ),
    ],
)
def test_import_rule(modules, forbidden, why):
    assert GRAPH, "no modules found"
    assert _breaks(modules, forbidden) == [], why


def _cycles() -> list[tuple[str, ...]]:
    ours = {m: {i for i in found if i in GRAPH and i != m} for m, found in GRAPH.items()}
    found = set()
    for start in ours:
        stack = [(start, (start,))]
        while stack:
            node, path = stack.pop()
            for nxt in ours[node]:
                if nxt == start and len(path) > 1:
                    found.add(tuple(sorted(path)))
                elif nxt not in path and len(path) < 6:
                    stack.append((nxt, (*path, nxt)))
    # a package importing its own submodule (``store/__init__`` <- ``store.api``) is fine
    return sorted(c for c in found if not (len(c) == 2 and c[1].startswith(c[0] + ".")))


def test_no_import_circles():
    assert _cycles() == []


def test_the_circle_finder_finds_one():
    GRAPH["peercare._probe_a"] = {"peercare._probe_b"}
    GRAPH["peercare._probe_b"] = {"peercare._probe_a"}
    try:
        assert _cycles() == [("peercare._probe_a", "peercare._probe_b")]
    finally:
        del GRAPH["peercare._probe_a"], GRAPH["peercare._probe_b"]


def test_the_rules_catch_a_break():
    GRAPH["peercare.evaluation._probe"] = {"peercare.store.api"}
    try:
        assert _breaks("peercare.evaluation", ("peercare.store",)) == [
            "peercare.evaluation._probe imports peercare.store.api"
        ]
    finally:
        del GRAPH["peercare.evaluation._probe"]
