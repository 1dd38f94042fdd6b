"""Tooling for the math_numpy course package: only what nbgrader itself lacks.

- spec:     the assignment, notebook and exercise names every other module relies on
- nbgrader: running nbgrader commands from this package's environment
- notebooks: reading source/release notebooks and filling in solution cells
- corpus:   grading the corpus of right and wrong submissions with real nbgrader autograde
- examples: the bundled example submissions (perfect, partial, blank students)
- summary:  the score table printed after grading
- sandbox, execute: the sandboxed grading kernel and its limits
- grade:    safe batch grading (one notebook at a time) and per-submission statuses
- scan:     the static tamper scan of submissions
- lms:      LMS downloads in (zip_collect collectors), LMS grade files out (export plugins), the roster
"""
