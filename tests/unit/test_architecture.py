"""Imports flow one way: entry points (web, dxmatch, benchmarks) → services → models / matcher, config under all.

The project's source is parsed with `ast`, never imported, so a rule is checked even for a module that
would fail to import, and function-local imports count like any other. An import inside
`if TYPE_CHECKING:` runs only under a type checker: it still counts for the layer rules (it couples
the layers all the same) but not for cycles (it cannot make an import fail at run time).
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "matcher", "models", "services", "web", "dxmatch", "fixtures", "benchmarks", "migrations")
TOP_LEVEL_MODULES = ("wsgi",)
ENVIRONMENT_READERS = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
# Where `Settings.from_env()` may be called: the entry points. Everything below them is handed a Settings.
FROM_ENV_ALLOWED = {"web", "services.tasks", "wsgi", "migrations.env", "config.settings"}
FROM_ENV_ALLOWED_PACKAGES = ("dxmatch", "benchmarks")


@dataclass(frozen=True)
class Import:
    """One import statement's project target, where it is, and whether it only runs under a type checker."""

    target: str
    line: int
    type_checking: bool


@dataclass(frozen=True)
class Module:
    """A parsed source file: its dotted name, its path relative to the project root, its syntax tree."""

    name: str
    path: str
    is_package: bool
    tree: ast.Module


def find_modules(root: Path, packages: tuple[str, ...] = PACKAGES,
                 top_level: tuple[str, ...] = TOP_LEVEL_MODULES) -> dict[str, Module]:
    """Every .py file of the project's packages by its dotted module name, parsed."""
    files: list[tuple[str, Path, bool]] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            files.append((".".join(parts[:-1] if is_package else parts), path, is_package))
    files += [(name, root / f"{name}.py", False) for name in top_level if (root / f"{name}.py").exists()]
    return {name: Module(name, path.relative_to(root).as_posix(), is_package,
                         ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for name, path, is_package in files}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Line numbers of statements inside `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`) blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else None
            if name == "TYPE_CHECKING":
                for statement in node.body:
                    lines.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
    return lines


def _resolve(name: str, modules: dict[str, Module]) -> str | None:
    """The project module an imported dotted name lands in (longest known prefix), or None outside the project."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module: Module, modules: dict[str, Module]) -> list[Import]:
    """The project modules `module` imports anywhere in its body (top level, functions, classes)."""
    type_only = _type_checking_lines(module.tree)
    found: list[Import] = []
    for node in ast.walk(module.tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
                base = ".".join(package[:len(package) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # `from pkg import sub` depends on the submodule; `from pkg import name` on the package itself
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module.name:
                found.append(Import(target, node.lineno, node.lineno in type_only))
    return found


def import_graph(modules: dict[str, Module]) -> dict[str, dict[str, Import]]:
    """module -> {imported project module: first import of it}."""
    graph: dict[str, dict[str, Import]] = {}
    for name, module in modules.items():
        edges: dict[str, Import] = {}
        for imp in sorted(imports_of(module, modules), key=lambda i: (i.type_checking, i.line)):
            edges.setdefault(imp.target, imp)
        graph[name] = edges
    return graph


def import_cycles(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """One cycle (a, b, …, a) per strongly connected group of modules, over imports that run (Tarjan)."""
    runtime = {m: sorted(t for t, imp in edges.items() if not imp.type_checking) for m, edges in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:
        # iterative Tarjan: a deep import chain must not hit the recursion limit
        work = [(start, iter(runtime.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(runtime.get(nxt, ()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for module in sorted(runtime):
        if module not in index:
            visit(module)
    return [_cycle_within(set(group), runtime) for group in groups]


def _cycle_within(group: set[str], runtime: dict[str, list[str]]) -> list[str]:
    """A concrete path from the group's first module back to itself (breadth-first: the shortest)."""
    start = min(group)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in runtime[node]:
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if nxt in group and nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    return sorted(group)


def layer_violations(graph: dict[str, dict[str, Import]], modules: dict[str, Module],
                     source: str, forbidden: set[str]) -> list[str]:
    """`module:line imports target` for every import from package `source` into a forbidden package."""
    found = []
    for name in sorted(graph):
        if name.split(".")[0] != source:
            continue
        for target, imp in sorted(graph[name].items()):
            if target.split(".")[0] in forbidden:
                found.append(f"{name} ({modules[name].path}:{imp.line}) imports {target}")
    return found


def non_standard_imports(module: Module) -> list[str]:
    """Every import of `module` from outside the standard library and its own package (a leaf imports no other)."""
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = ["." * node.level + (node.module or "")] if node.level else [node.module or ""]
        else:
            continue
        for name in names:
            allowed = sys.stdlib_module_names | {"__future__", module.name.split(".")[0]}
            if not name.startswith(".") and name.split(".")[0] not in allowed:
                found.append(f"{module.name}:{node.lineno} imports {name}")
    return found


def environment_reads(module: Module) -> list[str]:
    """Every `os.environ` / `os.getenv` (or `from os import environ`) in `module`, by line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(module.tree):
        if (isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_READERS
                and isinstance(node.value, ast.Name) and node.value.id == "os"):
            found.append((node.lineno, f"{module.name}:{node.lineno} reads os.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [(node.lineno, f"{module.name}:{node.lineno} imports os.{a.name}") for a in node.names
                      if a.name in ENVIRONMENT_READERS]
    return [text for _, text in sorted(found)]


def from_env_calls(module: Module) -> list[str]:
    """Every call of `<something>.from_env()` in `module`."""
    return [f"{module.name}:{node.lineno} calls {ast.unparse(node.func)}()" for node in ast.walk(module.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "from_env"]


@cache
def project() -> tuple[dict[str, Module], dict[str, dict[str, Import]]]:
    modules = find_modules(ROOT)
    return modules, import_graph(modules)


# --- the rules, on the project's own source ---

def test_the_project_modules_import_each_other_without_a_cycle():
    modules, graph = project()
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


LAYERS = {
    # package: what it must never import
    "matcher": {"config", "models", "services", "web", "dxmatch", "fixtures", "benchmarks", "migrations"},
    "config": {"matcher", "models", "services", "web", "dxmatch", "fixtures", "benchmarks", "migrations"},
    "models": {"matcher", "services", "web", "dxmatch", "fixtures", "benchmarks"},
    "services": {"web", "dxmatch", "fixtures", "benchmarks"},
    "web": {"dxmatch", "fixtures", "benchmarks"},
}


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_a_layer_imports_nothing_above_it(package):
    modules, graph = project()
    assert any(name.split(".")[0] == package for name in modules), f"no modules found in {package}/"
    violations = layer_violations(graph, modules, package, LAYERS[package])
    assert not violations, f"{package}/ must not import {sorted(LAYERS[package])}:\n" + "\n".join(violations)


def test_config_imports_only_the_standard_library():
    modules, _ = project()
    found = [v for name, m in modules.items() if name.split(".")[0] == "config" for v in non_standard_imports(m)]
    assert not found, "config/ is the leaf every layer imports; it imports the standard library only:\n" + \
        "\n".join(found)


@pytest.mark.parametrize("package", ["matcher", "services"])
def test_the_engine_and_the_services_read_no_environment(package):
    modules, _ = project()
    found = [v for name, m in sorted(modules.items()) if name.split(".")[0] == package for v in environment_reads(m)]
    assert not found, f"{package}/ is handed its settings; it reads no environment variables:\n" + "\n".join(found)


def test_only_entry_points_read_settings_from_the_environment():
    modules, _ = project()
    found = [v for name, m in sorted(modules.items())
             if name not in FROM_ENV_ALLOWED and name.split(".")[0] not in FROM_ENV_ALLOWED_PACKAGES
             for v in from_env_calls(m)]
    assert not found, "below the entry points settings are passed in, never read with from_env():\n" + \
        "\n".join(found)


# --- the checks themselves catch what they are meant to catch ---

def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checks_see_function_local_and_relative_imports_and_name_the_offender(tmp_path):
    _write(tmp_path, {
        "matcher/__init__.py": "",
        "matcher/engine.py": "def load():\n    from models.tables import Company\n    return Company\n",
        "models/__init__.py": "",
        "models/tables.py": "from . import engine_link\nCompany = object\n",
        "models/engine_link.py": "import services.use_case\n",
        "services/__init__.py": "",
        "services/use_case.py": "import os\nfrom models import tables\nKEY = os.environ.get('X')\n"
                                "def f():\n    import web.views\n",
        "web/__init__.py": "",
        "web/views.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from web import helpers\n",
        "web/helpers.py": "from web import views\n",
        "config/__init__.py": "import numpy\nfrom config.reference import HUBS\n",
        "config/reference.py": "import json\nHUBS = {}\n",
    })
    modules = find_modules(tmp_path, packages=("matcher", "models", "services", "web", "config"), top_level=())
    graph = import_graph(modules)

    cycles = import_cycles(graph)
    assert cycles == [["models.engine_link", "services.use_case", "models.tables", "models.engine_link"]]
    assert layer_violations(graph, modules, "matcher", LAYERS["matcher"]) == [
        "matcher.engine (matcher/engine.py:2) imports models.tables"]
    assert [v.split(" (")[0] for v in layer_violations(graph, modules, "services", LAYERS["services"])] == [
        "services.use_case"]
    assert environment_reads(modules["services.use_case"]) == ["services.use_case:3 reads os.environ"]
    assert non_standard_imports(modules["config"]) == ["config:1 imports numpy"]
    assert non_standard_imports(modules["config.reference"]) == []
    # a type-only import closes no cycle, but it is an import for the layer rules
    assert graph["web.views"]["web.helpers"].type_checking


def test_from_env_calls_are_found_wherever_they_are(tmp_path):
    _write(tmp_path, {"services/__init__.py": "",
                      "services/mail.py": "def mailer(settings=None):\n    return settings or Settings.from_env()\n"})
    modules = find_modules(tmp_path, packages=("services",), top_level=())
    assert from_env_calls(modules["services.mail"]) == ["services.mail:2 calls Settings.from_env()"]


MAX_MODULE_LINES = 400


def test_no_source_module_is_over_400_lines_outside_migrations():
    too_long = []
    for path in sorted(ROOT.glob("**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "migrations", "build"} or relative.parts[0].startswith("."):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{relative}: {lines} lines")
    assert not too_long, "split these modules (one job each): " + "; ".join(too_long)
