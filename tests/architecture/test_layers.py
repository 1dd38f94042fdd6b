"""The package's layers read top-down: no import cycle, no import upward, inside functions included.

Every `import` and `from ... import` of coursekit's own modules is read from the source with `ast`
(wherever it is: module level, a function, a class), so an import moved into a function to dodge
a cycle is still seen. The one exception is the kernel's agent (coursekit/grading/split/agent.py):
inside the student's kernel it runs after the wire module's source, so its import of the wire sits
in a `try` at module level; it is counted as a module-level import, as it is one.
"""

import ast
import functools
from pathlib import Path

import pytest

import coursekit

PACKAGE = Path(coursekit.__file__).parent

# The layer of each module (by the longest matching prefix); coursekit/__init__.py says the same in words.
LAYERS = {
    "coursekit.spec": 0, "coursekit.status": 0, "coursekit.ledger": 0, "coursekit.course": 0,
    "coursekit.fork_server": 0,
    "coursekit.grading.kernel.limits": 0, "coursekit.grading.split.wire": 0,
    "coursekit.notebooks": 1, "coursekit.redaction": 1, "coursekit.submissions": 1,
    "coursekit.results": 2,
    "coursekit.review": 3, "coursekit.grading": 3,
    "coursekit.summary": 4, "coursekit.grades_csv": 4, "coursekit.report": 4, "coursekit.feedback": 4,
    "coursekit.feedback_page": 4, "coursekit.lms": 4, "coursekit.gradescope": 4, "coursekit.lti": 4,
    "coursekit.commands": 4,
}


def module_names():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = module_names()


def layer(module):
    owner = max((prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len,
                default=None)
    return None if owner is None else LAYERS[owner]


def imported(module):
    """The package's modules that `module` imports, anywhere in its source."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("coursekit") and target != module:
                found.add(target)
    return found


@functools.cache
def import_graph():
    """{module: the package's modules it imports}: read when a test asks (every xdist worker imports
    this file to collect it; one runs these tests)."""
    return {module: imported(module) for module in MODULES}


def test_every_module_has_a_layer():
    assert [m for m in MODULES if m != "coursekit" and layer(m) is None] == []


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_no_module_imports_a_higher_layer(module):
    if module == "coursekit":
        return
    upward = sorted(t for t in import_graph()[module] if t != "coursekit" and layer(t) > layer(module))
    assert upward == [], f"{module} (layer {layer(module)}) imports {upward}"


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = counter[0]
                    counter[0] += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_import_cycle_among_the_package_s_modules():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    """Self-check: the test above can fail."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_inside_functions_are_seen(tmp_path, monkeypatch):
    """Self-check: an import moved into a function still counts."""
    module = tmp_path / "coursekit" / "fake.py"
    module.parent.mkdir()
    module.write_text("def f():\n    from . import results\n")
    monkeypatch.setitem(MODULES, "coursekit.fake", module)
    assert imported("coursekit.fake") == {"coursekit.results"}
