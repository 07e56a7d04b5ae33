"""The import graph of `pipelines/`: no circle, and the pure code below the rest.

Every import counts, at the top of a module or inside a function (a function-level import back
into a caller is still a circle a reader has to follow: `lib/scenario.py` used to import private
names from the CLI that imported it).
"""

import ast
from pathlib import Path

from pipelines.lib.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "pipelines"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """{module: the package's modules it imports}, `from package import module` resolved to
    the module; relative imports resolved against the importing module."""
    modules = {module_name(p, package.parent): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                # each name is a module of the package, or a name defined in `base`
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            else:
                continue
            for target in targets:
                # `from pipelines.cli import console` names the module; `import x.y` its package
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), as sorted lists."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_has_no_circle():
    graph = import_graph()
    assert len(graph) > 50 and "pipelines.cli.console" in graph["pipelines.cli.reports"]
    assert cycles(graph) == []


def test_lib_imports_neither_the_cli_nor_the_definitions():
    graph = import_graph()
    upward = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("pipelines.lib")
        for target in targets
        if target.startswith(("pipelines.cli", "pipelines.defs", "pipelines.definitions"))
    }
    assert upward == set()


def test_the_graph_finds_a_circle_and_an_upward_import(tmp_path):
    """The checks above can fail: a planted circle through a function-level import, and the
    relative form of it, are found."""
    pkg = tmp_path / "pipelines"
    (pkg / "lib").mkdir(parents=True)
    (pkg / "cli").mkdir()
    for init in (pkg, pkg / "lib", pkg / "cli"):
        (init / "__init__.py").write_text("")
    (pkg / "cli" / "console.py").write_text("from pipelines.lib import report\n")
    (pkg / "lib" / "report.py").write_text(
        "def run():\n    from pipelines.cli.console import connect\n"
    )
    (pkg / "lib" / "a.py").write_text("from . import b\n")
    (pkg / "lib" / "b.py").write_text("from .a import thing\n")
    graph = import_graph(pkg)
    assert sorted(cycles(graph)) == [
        ["pipelines.cli.console", "pipelines.lib.report"],
        ["pipelines.lib.a", "pipelines.lib.b"],
    ]
