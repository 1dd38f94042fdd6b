"""The rules applied to one parsed cell, in its notebook's naming context."""

import ast
import re

from .bindings import BUILTIN_NAMES, Context, imports, local_builtin_names, module_bindings, string, walk
from .parse import parse
from .rules import (
    CODE_MAGICS,
    DYNAMIC_MAGICS,
    FILE_CALLS,
    FILE_MAGICS,
    FRAME_ATTRS,
    MUTATORS,
    PATH_KEYWORDS,
    SHELL_MAGICS,
    SPECIAL_WRITES,
    SYS_HOOKS,
    outside,
    use_rule,
)


def check(tree, ctx, depth=0):
    """[(rule, message, line)] for one parsed cell (lines of the parsed text)."""
    return Checker(ctx, depth).run(tree)


class Checker(ast.NodeVisitor):
    """The rules, applied to one parsed cell in its notebook's naming context.

    Each visit_ method judges one kind of node.  run() visits every node of the cell's flat walk,
    in ast.walk's order, instead of recursing: the walk is computed once per tree and shared with
    the naming context, and recursion would run out of stack on absurdly nested hostile code.
    """

    def __init__(self, ctx, depth):
        self.ctx, self.depth, self.found = ctx, depth, []
        self.tails, self.touches_files = set(), False

    def add(self, rule, message, node):
        self.found.append((rule, message, getattr(node, "lineno", 1)))

    def run(self, tree):
        nodes = walk(tree)
        # A chain like os.path.join is judged once, whole, at its outermost node.
        self.inner = {id(n.value) for n in nodes if isinstance(n, ast.Attribute)}
        self.in_path = {id(side) for n in nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
                        for side in (n.left, n.right)}
        # The '/x' of f'{folder}/x' or folder + '/x' does not start a path: it cannot make it absolute.
        self.tails = {id(v) for n in nodes if isinstance(n, ast.JoinedStr) for v in n.values[1:]} | \
            {id(n.right) for n in nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add)}
        self.local = local_builtin_names(nodes)
        for node in nodes:
            self.visit(node)
        if self.touches_files:
            # A cell that opens or lists files and spells out an outside path anywhere
            # (targets = ['/proc/1/environ', ...]; open(t)).  Path-like strings only, so that
            # prose such as "see ../notes" or a lone "/" in a message does not count.
            for node in nodes:
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and re.fullmatch(r"[\w./\\~${}*:-]{2,}", node.value):
                    self.paths(node)
        for name, node, qualified in module_bindings(tree):
            if name in BUILTIN_NAMES and qualified != f"builtins.{name}":
                self.add("rebind-builtin", f"rebinds the builtin {name}", node)
            elif name in self.ctx.test_names and qualified != self.ctx.test_names[name]:
                self.add("rebind-test-name", f"rebinds {name}, which the tests use", node)
        return self.found

    def generic_visit(self, node):
        """Nothing: run() reaches every node itself, so a visit never goes down to the children."""

    def visit_Import(self, node):
        # `import http.client` binds http but imports http.client: judge what is imported
        for alias in node.names:
            self.use(alias.name, node, "imports")

    def visit_ImportFrom(self, node):
        for _, qualified in imports(node):
            self.use(qualified, node, "imports")

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and self.reads(node):
            for module in self.ctx.stars:  # `from os import *` then system(...)
                self.use(f"{module}.{node.id}", node)

    def visit_Attribute(self, node):
        if not isinstance(node.ctx, ast.Load):
            self.attr_write(node.value, node.attr, node)
        else:
            self.reads(node)
        if node.attr in FRAME_ATTRS:
            self.add("introspection", f"reads .{node.attr}", node)

    def visit_Subscript(self, node):
        if not isinstance(node.ctx, ast.Load):
            self.item_write(node.value, node)
        else:
            self.reads(node)

    def visit_Call(self, node):
        self.reads(node)
        self.call(node)

    def visit_BinOp(self, node):
        if isinstance(node.op, ast.Div) and id(node) not in self.in_path \
                and any("pathlib" in q for n in ast.walk(node) if isinstance(n, ast.Call)
                        for q in self.ctx.names(n.func)):
            self.paths(node)  # Path('.') / '..' / 'x'

    def visit_Raise(self, node):
        if node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if "SystemExit" in self.ctx.names(exc):
                self.add("kernel-exit", "raises SystemExit", node)

    def visit_ClassDef(self, node):
        if any("SystemExit" in self.ctx.names(b) for b in node.bases):
            self.add("kernel-exit", "subclasses SystemExit", node)
        self.class_body(node)

    def reads(self, node):
        """Judge what a read of a name, attribute chain, subscript or call names; False when it is
        not judged here (inside a longer chain, or a function's own local named like a builtin)."""
        if id(node) in self.inner or id(node) in self.local:
            return False
        # Calls and subscripts count when they name something: getattr(os, '_exit'),
        # __import__('os'), vars(os)['system']; an ordinary call "f()" is judged at f.
        for q in sorted(q for q in self.ctx.names(node) if not q.endswith(("()", "[]"))):
            self.use(q, node)
        return True

    def use(self, qualified, node, verb="uses"):
        rule = use_rule(qualified)
        if rule:
            self.add(rule, f"{verb} {qualified}", node)

    def attr_write(self, base, attr, node):
        qs = self.ctx.names(base)
        if attr in ("__eq__", "__ne__"):
            self.add("always-equal", f"replaces {attr}", node)
        elif any("sys.modules" in q for q in qs):
            self.add("sys-modules", "changes a module through sys.modules", node)
        elif "sys" in qs and attr in SYS_HOOKS:
            self.add("sys-hook", f"replaces sys.{attr}", node)
        elif any(q.startswith(("get_ipython()", "IPython", "ipykernel")) for q in qs):
            self.add("ipython-hook", f"patches the IPython shell ({attr})", node)
        elif any("()" not in q and q not in BUILTIN_NAMES for q in qs):  # reached through an import
            self.add("patch-module", f"assigns to {sorted(qs)[0]}.{attr}", node)
        elif attr in SPECIAL_WRITES:
            self.add("introspection", f"replaces {attr}", node)

    def item_write(self, base, node):
        qs = self.ctx.names(base)
        if any("sys.modules" in q for q in qs):
            self.add("sys-modules", "changes sys.modules", node)
        elif "globals()" in qs:
            self.add("globals-write", "writes to globals() by name", node)
        elif any(q == "builtins" or q.endswith(".__dict__") for q in qs):
            self.add("patch-module", f"writes into {sorted(qs)[0]}", node)

    def paths(self, expr, where=None):
        """Flag the string constants (f-strings' constant parts too) of a path expression."""
        for n in ast.walk(expr):
            if isinstance(n, ast.Constant) and isinstance(n.value, (str, bytes)):
                text = n.value if isinstance(n.value, str) else n.value.decode("latin-1")
                why = outside(text, leading=id(n) not in self.tails)
                if why:
                    self.add("file-access", f"{why}: {text[:60]!r}", where or n)

    def call(self, call):
        args = call.args
        for f in self.ctx.names(call.func):
            if f in ("setattr", "delattr") or f.endswith((".__setattr__", ".__delattr__")):
                if len(args) >= 2:
                    self.attr_write(args[0], string(args[1]) or "?", call)
            elif f == "getattr" and len(args) >= 2 and string(args[1]) is None:
                if any("()" not in q and q not in BUILTIN_NAMES for q in self.ctx.names(args[0])):
                    self.add("dynamic-code", "getattr with a computed name on a module", call)
            elif f in ("get_ipython().system", "get_ipython().getoutput"):
                self.add("shell", "shell escape (!cmd)", call)
            elif f in ("get_ipython().run_line_magic", "get_ipython().run_cell_magic"):
                self.magic(call, f.endswith("cell_magic"))
            elif f in FILE_CALLS or f.split(".")[0] == "shutil":
                self.touches_files = True
                for arg in [*args, *(k.value for k in call.keywords if k.arg in PATH_KEYWORDS)]:
                    self.paths(arg, call)
        if isinstance(call.func, ast.Attribute) and call.func.attr in MUTATORS:
            self.item_write(call.func.value, call)  # sys.modules.update(...), globals().pop(...)

    def magic(self, call, is_cell):
        args = call.args
        name = string(args[0]) if args else None
        if name is None:
            self.add("dynamic-code", "IPython magic with a computed name", call)
            return
        name, kind = name.lstrip("%"), "%%" if is_cell else "%"
        if name in SHELL_MAGICS:
            self.add("shell", f"{kind}{name} runs a shell or another interpreter", call)
        elif name in DYNAMIC_MAGICS:
            self.add("dynamic-code", f"{kind}{name} loads or runs other code", call)
        elif name in FILE_MAGICS:
            self.add("file-access", f"{kind}{name} writes files or changes directory", call)
        elif name in CODE_MAGICS and self.depth < 3:
            # The magic's argument (line) or body (cell) is Python the kernel runs: scan it too.
            text = string(args[2 if is_cell else 1]) if len(args) > (2 if is_cell else 1) else None
            parsed = parse(text) if text else None
            if parsed and not isinstance(parsed, str):
                tree, offset = parsed
                inner = Context([tree], base=self.ctx)
                for rule, message, line in check(tree, inner, self.depth + 1):
                    # a cell magic's body starts on the line below the %% line
                    self.found.append((rule, message, call.lineno + offset + line if is_cell else call.lineno))

    def class_body(self, cls):
        """__eq__ that is just `return True` (or __ne__ just `return False`), as a def or a lambda."""
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = [s for s in stmt.body
                        if not (isinstance(s, ast.Expr) and string(s.value) is not None)]  # docstrings
                name = stmt.name
                value = body[0].value if len(body) == 1 and isinstance(body[0], ast.Return) else None
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda) \
                    and isinstance(stmt.targets[0], ast.Name):
                name, value = stmt.targets[0].id, stmt.value.body
            else:
                continue
            if name in ("__eq__", "__ne__") and isinstance(value, ast.Constant) \
                    and value.value is (name == "__eq__"):
                self.add("always-equal", f"class whose {name} always returns {value.value}", stmt)
