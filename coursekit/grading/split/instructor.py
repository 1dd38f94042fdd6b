"""What split grading trusts of a notebook: the instructor's cells, read from the gradebook.

A submitted notebook is hostile data, its structure included: a test cell may be deleted (nbgrader
then puts it back with a comment line in front), moved, edited, stripped of its nbgrader metadata;
the setup cell may be moved, edited or deleted. So the grader takes none of it from the notebook:

- the setup cells (locked code cells that are neither tests nor solutions: the imports) run first,
  before any student code, in the kernel and in the grader, from the gradebook's source;
- a cell runs as a test only if its grade_id names a test cell of the gradebook, and then it runs
  the gradebook's source, whatever the cell holds;
- the kernel supplies only the names the solution cells define: the exercises' own names (a
  solution cell's grade_id, and what its released stub binds at top level). No other name is ever
  fetched from the kernel, so a student's `fail` or `passed` can never stand in for the checks'.

Moved, deleted or edited locked cells are also flagged for review by the tamper scan
(coursekit.grading.scan, rule "locked-cell-*").
"""

import ast
import dataclasses

from nbgrader.api import Gradebook

TEST, SETUP, STUDENT = "test", "setup", "student"


@dataclasses.dataclass(frozen=True)
class InstructorCells:
    setup: tuple = ()                         # (grade_id, source) of the setup cells, in notebook order
    tests: dict = dataclasses.field(default_factory=dict)   # grade_id -> source of every test cell
    answers: frozenset = frozenset()          # the names the kernel may supply

    @classmethod
    def from_gradebook(cls, db_url, notebook, assignment, order=()):
        """The notebook's instructor cells. order: grade_ids in the source notebook's order (the
        gradebook keeps no order), for notebooks with more than one setup cell."""
        with Gradebook(db_url) as gb:
            found = gb.find_notebook(notebook, assignment)
            grade = {cell.name for cell in found.grade_cells}
            solution = {cell.name for cell in found.solution_cells}
            setup, tests, answers = [], {}, set(solution)
            for cell in found.source_cells:
                if cell.cell_type != "code":
                    continue
                if cell.name in solution:
                    answers |= top_level_names(cell.source)
                elif cell.name in grade:
                    tests[cell.name] = cell.source
                elif cell.locked:
                    setup.append((cell.name, cell.source))
        rank = {name: i for i, name in enumerate(order)}
        setup.sort(key=lambda item: (rank.get(item[0], len(rank)), item[0]))
        return cls(tuple(setup), tests, frozenset(answers))

    def role(self, cell):
        """TEST, SETUP or STUDENT, by the cell's grade_id alone (its source is never trusted)."""
        if cell.get("cell_type") != "code":
            return STUDENT
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in self.tests:
            return TEST
        if any(grade_id == name for name, _ in self.setup):
            return SETUP
        return STUDENT

    def source_of(self, cell):
        return self.tests[cell.metadata.nbgrader.grade_id]


def top_level_names(source):
    """The names a cell binds at its top level (defs, classes, assignments, imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return names
