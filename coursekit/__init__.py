"""The math_numpy course package: only what nbgrader itself lacks.

- spec:      the assignment, notebook and exercise names every other module relies on
- course:    running nbgrader commands from this package's environment; the course's gradebook URL
- notebooks: reading nbgrader notebooks and filling in solution cells
- redaction: what of the instructor's cells a student may see, with nbgrader's configured markers
- results:   the one results model (per test cell, exercise, notebook, student) every table renders
- review:    doubtful grades withheld in the gradebook until cleared; `coursekit-review`
- export:    plain `nbgrader export` (nbgrader's CSV) with withheld grades left out
- grading/:  the sandboxed kernel (sandbox), nbgrader's Execute with limits (execute), test cells
             run in the grader against the kernel's names (split, student, channel, agent, wire), nbgrader's
             CheckCellMetadata with its schema compiled once (metadata), a submission's files, links
             never followed (submission), safe batch grading and per-notebook statuses (batch), a
             class on many processes or a Dask cluster (parallel, worker, rows; progress), the
             static tamper scan (scan/)
- feedback:  nbgrader generate_feedback preprocessors: no hidden tests, a per-exercise table
- summary, report: the score table and the class report
- lms/:      the roster, LMS collectors (zip_collect) and grade exporters
- lti/:      the LTI 1.3 tool: launches, the roster from Names and Roles, scores through Assignment
             and Grade Services (`coursekit-lti`)
- gradescope/: the Gradescope autograder (zip, run, results.json)
- settings:  `coursekit-settings`, every setting (traitlets trait) of this package

Developer tools (corpus harness, example builders, demo, benchmarks) live in devtools/, outside
the package; the package never reads tests/.
"""

