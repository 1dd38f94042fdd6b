"""What names mean in one notebook: imports, aliases and the names a cell binds at notebook level.

Why not `symtable`: it reads source text, not the tree the scan has already parsed (and shares
between students), so every cell would be parsed twice; it names the bound symbols but not the
nodes, and the flags need their lines; and at module scope it does not mark as assigned names a
cell does bind there (`global x` in a function then `x = ...`, `[y := ... for ...]`: checked on
Python 3.11), which a rebinding check must see.  So the two scope walks below stay on `ast`.
"""

import ast
import builtins

# What the release's setup cells bind, for scan_code on its own (a test checks this list still
# covers them); in a notebook scan the locked cells' own imports are added.
CHECKS_NAMES = ("AXIS_RULE", "CheckFailed", "FORMULA_SLIPS", "GRADIENT_RTOL", "NOT_DEFINED", "answer_for",
                "call_unchanged", "call_unchanged_each", "counted", "described", "expect_answer_dict", "expect_array",
                "expect_bool", "expect_equal", "expect_formula", "expect_formula_at", "expect_number", "expect_pair",
                "expect_raises", "expect_reordering", "fail", "formula_problem_at", "leaves_memory_unset", "passed",
                "read_formula", "right_at_point", "show", "type_name")
DEFAULT_TEST_NAMES = {"np": "numpy", "checks": "checks", **{n: f"checks.{n}" for n in CHECKS_NAMES}}
BUILTIN_NAMES = frozenset(n for n in dir(builtins) if not n.startswith("_")) | {
    "__import__", "__build_class__", "__builtins__", "get_ipython"}


class Context:
    """What names mean in one notebook: imports and simple assignments of every scanned cell.

    aliases maps a name to a set of qualified names, so that two cells binding one name
    differently cannot hide either meaning.  test_names are what the test cells rely on.
    """

    def __init__(self, trees, setup_trees=(), trusted=False, base=None):
        """trees: the scanned cells; setup_trees: the locked non-test code cells, whose imports
        and definitions the tests use; trusted: those come from the release, not the student."""
        if base is not None:  # code run by a magic (%%time ...) sees the cell's names and its own
            self.test_names = base.test_names
            self.aliases = {n: set(q) for n, q in base.aliases.items()}
            self.stars = set(base.stars)
        else:
            # The release's setup cells say exactly what the tests use; a student's copy may have
            # been edited, so then the defaults stay and can only be added to.
            self.test_names = {"np": "numpy", "checks": "checks"} if trusted and setup_trees \
                else dict(DEFAULT_TEST_NAMES)
            for tree in setup_trees:
                for name, _, qualified in module_bindings(tree):
                    self.test_names.setdefault(name, qualified or f"<locked cell>.{name}")
            self.aliases = {n: {q} for n, q in self.test_names.items() if not q.startswith("<")}
            self.stars = set()  # `from m import *`: only used to look up names, see Checker.run
        nodes = [n for tree in trees for n in walk(tree)]
        for node in nodes:
            for name, qualified in imports(node):
                if name == "*":
                    self.stars.add(qualified)
                else:
                    self.aliases.setdefault(name, set()).add(qualified)
        for node in nodes:  # `t = np.testing`, `ip = get_ipython()`, `g = globals()`
            if isinstance(node, ast.Assign):
                found = {q for q in self.names(node.value)
                         if "()" not in q or q.startswith(("get_ipython()", "globals()"))}
                for target in node.targets:
                    if found and isinstance(target, ast.Name):
                        self.aliases.setdefault(target.id, set()).update(found)

    def names(self, node):
        """The qualified names an expression may stand for ("numpy.testing", "get_ipython()")."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            if node.id == "__builtins__":
                return {"builtins"}
            return {node.id} if node.id in BUILTIN_NAMES else set()
        if isinstance(node, ast.Attribute):
            return {node.attr if q == "builtins" and node.attr in BUILTIN_NAMES else f"{q}.{node.attr}"
                    for q in self.names(node.value)}
        if isinstance(node, ast.Subscript):  # sys.modules['os'] is os too; vars(os)['system'] is os.system
            key, found = string(node.slice), set()
            for q in self.names(node.value):
                found.add(f"{q}[]")
                if key and q == "sys.modules":
                    found.add(key)
                elif key and (q == "builtins" or q.endswith(".__dict__")):
                    base = q.removesuffix(".__dict__")
                    found.add(key if base == "builtins" else f"{base}.{key}")
            return found
        if isinstance(node, ast.Call):
            return self._call_names(node)
        return set()

    def _call_names(self, call):
        args, found = call.args, set()
        first = string(args[0]) if args else None
        for f in self.names(call.func):
            if f in ("__import__", "importlib.import_module") and first:
                found.add(first)
            elif f == "getattr" and len(args) >= 2 and string(args[1]):
                found |= {f"{q}.{string(args[1])}" for q in self.names(args[0])}
            elif f in ("globals", "locals", "vars") and not args:
                found.add("globals()")
            elif f == "vars" and args:
                found |= {f"{q}.__dict__" for q in self.names(args[0])}
            elif f.endswith("get_ipython"):
                found.add("get_ipython()")
            elif f == "sys.modules.get":
                found.add("sys.modules[]")
            else:
                found.add(f + "()")
        return found


def walk(tree):
    """Every node of a parsed cell, computed once and kept on the tree: the context and the
    checks both need them."""
    nodes = getattr(tree, "_scan_nodes", None)
    if nodes is None:
        nodes = tree._scan_nodes = tuple(ast.walk(tree))
    return nodes


def string(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def imports(node):
    """(bound name, qualified name) for an import statement; '*' for a star import."""
    if isinstance(node, ast.Import):
        for a in node.names:
            yield (a.asname, a.name) if a.asname else (a.name.split(".")[0], a.name.split(".")[0])
    elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
        for a in node.names:
            yield ("*", node.module) if a.name == "*" else (a.asname or a.name, f"{node.module}.{a.name}")


def module_bindings(tree):
    """(name, node, qualified name if an import) for every name a cell binds at notebook level.

    Statements nested in if/for/try/with still bind at notebook level; function and class bodies
    do not, except for names they declare `global`.
    """
    declared = {n for g in walk(tree) if isinstance(g, ast.Global) for n in g.names}
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name, node, None
            if declared:
                yield from ((n.id, n, None) for n in ast.walk(node) if isinstance(n, ast.Name)
                            and n.id in declared and not isinstance(n.ctx, ast.Load))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from ((name, node, q) for name, q in imports(node) if name != "*")
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue  # their own scope
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            yield node.id, node, None
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            yield node.name, node, None
        stack.extend(ast.iter_child_nodes(node))


def local_builtin_names(nodes):
    """ids of the Name loads that read a function's own local named like a builtin
    (`def f(x): eval = score(x); return eval`): those are not the builtin."""
    named = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    if not (named | {n.arg for n in nodes if isinstance(n, ast.arg)}) & BUILTIN_NAMES:
        return set()  # the usual case: nothing to work out
    scopes, shadowed = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda), set()
    for scope in (n for n in nodes if isinstance(n, scopes)):
        own, stack = [], list(scope.body) if isinstance(scope.body, list) else [scope.body]
        while stack:  # the function's own body; nested functions are their own scopes
            node = stack.pop()
            own.append(node)
            if not isinstance(node, scopes):
                stack.extend(ast.iter_child_nodes(node))
        a = scope.args
        local = {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x}
        local |= {n.id for n in own if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        local &= BUILTIN_NAMES
        shadowed |= {id(n) for n in own if isinstance(n, ast.Name) and n.id in local}
    return shadowed
