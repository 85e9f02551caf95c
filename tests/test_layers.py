"""The shape of the code (docs/ARCHITECTURE.md): imports point down the floors (the
import-linter contract in pyproject.toml), no module imports another's private names, and no
two modules import each other, directly or through others."""

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "promcluster"


def test_imports_point_down_the_floors():
    # In a process of its own: import-linter configures logging, which would silence the
    # platform's loggers for the tests that follow.
    check = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(module: str, source: str) -> list[str]:
    """Private names of other promcluster modules used by ``module``: imported by name, or read
    as an attribute of an imported promcluster module."""
    found, modules = [], set()
    package = module.rpartition(".")[0]
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            origin = node.module or ""
            if node.level:  # relative: resolve against the importer's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                origin = f"{base}.{origin}".rstrip(".")
            if not origin.startswith("promcluster") or origin == module:
                continue
            for alias in node.names:
                if private(alias.name):
                    found.append(f"from {origin} import {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("promcluster."):
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and private(node.attr)
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        module = ".".join(parts).removesuffix(".__init__")
        if found := private_imports(module, path.read_text(encoding="utf-8")):
            offenders[module] = found
    assert offenders == {}


def test_the_private_name_check_catches_both_forms():
    source = (
        "from promcluster.registry.pages import _errors, render\n"
        "from promcluster.registry import queries\n"
        "from . import _sibling\n"
        "x = queries._member_rows(s, 1)\n"
        "y = render.__name__\n"
    )
    assert private_imports("promcluster.matching.pages", source) == [
        "from promcluster.registry.pages import _errors",
        "from promcluster.matching import _sibling",
        "queries._member_rows",
    ]


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while (member := stack.pop()) != module:
                group.append(member)
            if group:
                groups.append(sorted([module, *group]))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycles():
    assert strongly_connected(grimp.build_graph("promcluster")) == []


def test_the_cycle_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        graph.add_import(importer=a, imported=b)
    assert strongly_connected(graph) == [["p.a", "p.b", "p.c"]]
