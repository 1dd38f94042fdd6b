"""Tooling for the math_numpy course package: only what nbgrader itself lacks.

- spec:     the assignment, notebook and exercise names every other module relies on
- nbgrader: running nbgrader commands from this package's environment
- notebooks: reading source/release notebooks and filling in solution cells
- corpus:   grading the corpus of right and wrong submissions with real nbgrader autograde
- examples: the bundled example submissions (perfect, partial, blank students)
- summary:  the score table printed after grading
"""
