"""The tamper scan: flag attempts to tamper with grading by reading the submissions' code, never running it.

`python -m coursekit.commands.scan [submitted_dir] [--release release/math_numpy]` prints one row per
finding and exits 0 (2 only for a folder that does not exist): it reports for an instructor to
review, it does not decide grades.

What is scanned: the code nbgrader keeps as the student left it, i.e. solution cells and cells the
student added.  nbgrader puts locked and test cells back from the gradebook before grading, so
their code cannot tamper with anything; notebook.py decides which cells nbgrader keeps with its own
DeduplicateIds and cell tests (nbgrader.utils), and restates the rule of its OverwriteCells, which
needs a gradebook database the scan does not have.  With the release notebook to compare with, locked cells
edited, deleted (or unmarked) and moved are flagged for review (the grader runs the gradebook's own
copies, coursekit/grading/split/instructor.py, but a human should read such a notebook); changed metadata of
other cells, deleted answers and unknown cells are listed as information.  Python
files shipped beside the notebooks are flagged too: the kernel would import a numpy.py instead
of NumPy.

Each cell is parsed with `ast`; a cell that is not plain Python (%magics, %%cell magics, !shell)
is first turned into the calls IPython itself would run (`get_ipython().run_line_magic(...)`,
`.system(...)`, `.run_cell_magic(...)`) by IPython's TransformerManager.  Plain Python goes
straight to `ast` because IPython leaves it unchanged, and that keeps the scan fast.  Names are
resolved through a per-notebook table of imports and simple assignments (`import os as o`,
`from os import _exit as bye`, `t = np.testing`, `ip = get_ipython()`), so an alias does not
hide a call; beyond that there is no data-flow analysis.

Severity:
- "review": tamper-like code, or code the scanner could not read.  Read the cell before trusting
  its grade; it is a pointer for a human, never a verdict.
- "info":   harmless at grading time (the cell simply fails to run, or costs only its own points),
  listed so a surprising score can be explained.  A cell that does not parse even after the
  IPython transform gets one "syntax-error" info flag: it fails when graded, it tampers with nothing.

Known gaps (a static scan is a tripwire, not a sandbox): objects passed through containers or
function arguments, and names or code built as strings at run time (exec, getattr with a computed
name and the like are flagged, what they reach is not); paths computed at run time
(`Path.cwd().parent`); names shadowed by `from m import *`.  Without the release, a forged locked
cell (metadata claiming an id the release lacks) is trusted, and a solution cell saved as markdown
is not scanned.

Where each part lives:
- rules:       the rule table (rule id -> severity, meaning), Flag (one finding), the names, calls,
               magics and paths each rule covers, and the limits on what one notebook may cost
- names:       what a name means in one notebook (imports, aliases, notebook-level bindings)
- parse:       one cell's source to an `ast` tree, through IPython's transform when it is not Python
- checker:     the rules applied to one parsed cell (an ast.NodeVisitor)
- cell:        one cell's source to its flags (`scan_code`)
- notebook:    one notebook: which cells nbgrader keeps as the student left them, structure flags
- submissions: a submitted/ folder of students
- __main__:    the command line and its table

The public API is what callers use: `scan_submissions`, `scan_notebook`, `scan_code`, `Flag`,
`RULES`, `REVIEW`, `INFO`.
"""

from .cell import scan_code
from .folder import scan_submissions
from .notebook_scan import scan_notebook
from .rules import INFO, REVIEW, RULES, Flag

__all__ = ["INFO", "REVIEW", "RULES", "Flag", "scan_code", "scan_notebook", "scan_submissions"]
