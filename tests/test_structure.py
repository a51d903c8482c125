"""The package keeps the shape ARCHITECTURE.md describes: one stage per module, small modules,
no import circle, one exception module, one public surface, one loader of packaged files."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import osgraph

if TYPE_CHECKING:
    import networkx as nx

PACKAGE = Path(osgraph.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 500


@cache
def parsed(path: Path) -> ast.Module:
    """The syntax tree of a module, parsed once for the tests that read it."""
    return ast.parse(path.read_text(encoding="utf-8"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(tree: ast.AST, importer: str) -> Iterator[str]:
    """The osgraph modules a module imports anywhere (in functions too), but for imports only
    type checkers read."""
    for node in _walk_run_time(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("osgraph."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importer's package
                base = importer.rsplit(".", node.level)[0]
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target == "osgraph":
                yield from (f"osgraph.{alias.name}" for alias in node.names)
            elif target.startswith("osgraph."):
                yield target


def _walk_run_time(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and is_type_checking(child.test):
            for other in child.orelse:
                yield from _walk_run_time(other)
        else:
            yield from _walk_run_time(child)


@cache
def import_graph() -> nx.DiGraph:
    import networkx as nx  # only the tests of the import graph load it

    graph = nx.DiGraph()
    known = {module_name(path) for path in MODULES}
    for path in MODULES:
        importer = module_name(path)
        graph.add_node(importer)
        for target in imported(parsed(path), importer):
            # Importing a.b.c runs a.b first, unless the importer is inside a.b (a package
            # runs as its modules are imported); osgraph itself (lazy) imports nothing.
            parts = target.split(".")
            for end in range(2, len(parts) + 1):
                module = ".".join(parts[:end])
                inside = importer.startswith(f"{module}.") and end < len(parts)
                if module in known and module != importer and not inside:
                    graph.add_edge(importer, module)
    return graph


def test_no_module_imports_itself_through_others() -> None:
    import networkx as nx

    graph = import_graph()
    assert graph.number_of_edges() > 20  # the graph above was really read
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], "import circles: " + "; ".join(" → ".join([*c, c[0]]) for c in cycles)


def test_the_package_itself_imports_nothing_eagerly() -> None:
    # `osgraph --help` and `import osgraph` stay quick: the package loads modules on first use.
    assert not list(import_graph().successors("osgraph"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_every_module_is_small_enough_to_read_whole(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines"


def test_modules_are_private_behind_one_public_surface() -> None:
    public = [
        module_name(path)
        for path in MODULES
        if not any(part.startswith("_") for part in module_name(path).split(".")[1:])
        and module_name(path) != "osgraph"
    ]
    assert public == []
    defining = [
        module_name(path)
        for path in MODULES
        if any(
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            for node in ast.walk(parsed(path))
        )
    ]
    assert defining == ["osgraph"]
    for name in osgraph.__all__:
        assert getattr(osgraph, name) is not None


def test_every_exception_is_in_the_errors_module_and_public() -> None:
    from osgraph import _errors

    for path in MODULES:
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Error", "Exception")):
                assert module_name(path) == "osgraph._errors", f"{node.name} in {path.name}"
                assert node.name in osgraph.__all__
    assert {cls.__name__ for cls in _all_subclasses(_errors.OsgraphError)} | {
        "OsgraphError"
    } <= set(osgraph.__all__)


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_exit_codes_tell_input_usage_and_read_write_apart() -> None:
    codes = {
        osgraph.SourceError: 1,
        osgraph.ValidationError: 1,
        osgraph.QueryError: 1,
        osgraph.ConfigurationError: 2,
        osgraph.ReadWriteError: 3,
    }
    assert {cls: cls.exit_code for cls in codes} == codes


def test_packaged_files_are_read_in_one_place() -> None:
    for path in MODULES:
        if path.name != "_resources.py":
            text = path.read_text(encoding="utf-8")
            assert 'files("osgraph")' not in text and "files('osgraph')" not in text, path.name


def test_the_architecture_page_names_every_module_and_no_other() -> None:
    page = (PACKAGE.parents[1] / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(_[a-z][a-z_]*)/?`", page))
    modules = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in MODULES}
    modules -= {"__init__", "__main__"}
    assert modules <= named, modules - named
    assert named <= modules, named - modules
    readers = {path.stem for path in (PACKAGE / "_sources").glob("*.py")} - {"__init__"}
    for reader in readers:
        assert f"`{reader}`" in page, reader
