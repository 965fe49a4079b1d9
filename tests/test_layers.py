"""The package's layers: each module imports only from its own layer or the layers below.

From the bottom: the clock and the standard, the scenario (config), the model (engine),
numbers from numbers (analysis), the results folder (results), what people read (present),
the jobs that join them, and the command line. A module that reaches upwards (the engine
reading a results folder, say) fails here, as does any cycle of imports, in function bodies too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "contactsim"

#: Layer of each top-level module or subpackage, lowest first.
LAYERS = {
    "timebase": 0, "standard": 0, "calendar": 0, "outcomes": 0, "interrupts": 0, "atomic": 0,
    "problems": 0, "files": 0,
    "config": 1, "logs": 1,
    "engine": 2,
    "analysis": 3,
    "results": 4,
    "present": 5,
    "jobs": 6,
    "cli": 7,
    "__main__": 8,
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_only(tree: ast.Module) -> set[ast.AST]:
    """Import statements under ``if TYPE_CHECKING:``: read by mypy, never run."""
    out: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(n for stmt in node.body for n in ast.walk(stmt))
    return out


def imports_of(path: Path, name: str | None = None, *, runtime: bool = False) -> set[str]:
    """Every contactsim module ``path`` imports, at module level or inside functions (with
    ``runtime``, leaving out imports for type checking only)."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_only(tree) if runtime else set()
    for node in ast.walk(tree):
        if node in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("contactsim"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("contactsim"):
                continue
            found.add(target)
            # ``from contactsim.config import loading`` imports a module, not a name.
            for alias in node.names:
                if (PACKAGE.parent / (target + "." + alias.name).replace(".", "/")).with_suffix(
                        ".py").exists():
                    found.add(f"{target}.{alias.name}")
    found.discard(name)
    return found


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # the package itself: __version__ and the lazy public API
    return LAYERS[parts[1]]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    top = {module_name(p).split(".")[1] for p in MODULES if module_name(p) != "contactsim"}
    assert top <= set(LAYERS), f"give these a layer: {sorted(top - set(LAYERS))}"


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_imports_go_down_the_layers(path: Path) -> None:
    own = layer_of(module_name(path))
    if own is None:
        return
    upward = [m for m in sorted(imports_of(path))
              if (layer := layer_of(m)) is not None and layer > own]
    assert not upward, f"{module_name(path)} (layer {own}) imports from above: {upward}"


def test_no_import_cycles() -> None:
    """No cycle among the imports that run (a type-only import back is no cycle)."""
    graph = {module_name(p): {m for m in imports_of(p, runtime=True) if m != "contactsim"}
             for p in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt):], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_checker_sees_upward_and_lazy_imports(tmp_path: Path) -> None:
    """The check can fail: an engine module reading a results folder, even lazily, is caught."""
    bad = tmp_path / "probe.py"
    bad.write_text("from contactsim.config import loading\n\n\ndef f():\n"
                   "    from contactsim.results.read import read_run\n", encoding="utf-8")
    found = imports_of(bad, "contactsim.engine.probe")
    assert {"contactsim.config.loading", "contactsim.results.read"} <= found
    assert layer_of("contactsim.results.read") == 4 > layer_of("contactsim.engine.probe") == 2
