"""The math_numpy course package: only what nbgrader itself lacks. Its layers read top-down; a module
imports only from its own layer or below (tests/architecture/test_layers.py checks it, imports inside
functions included), and no two modules import each other.

0. The shared vocabulary (leaves):
   spec (assignment, notebook and exercise names), status (what grading made of a notebook, and the
   marks it leaves in it), ledger (why a grade is withheld, who cleared it), course (a course
   directory: its config, folders and gradebook; nbgrader run in it), fork_server (nbgrader's commands
   and the pool's workers forked from one process that imported nbgrader once), grading/kernel/limits (the
   kernel's resource limits), grading/split/wire (the plain data between grader and kernel).
1. Reading a course: notebooks, redaction (what of the instructor's cells a student may see),
   submissions (a submission's files, never a link, and each notebook's status).
2. results: the one results model (per test cell, exercise, notebook, student; final scores).
3. review (doubtful grades withheld until cleared) and grading/ (the engine):
   kernel/ (the sandboxed kernel and its client), split/ (tests run in the grader against the
   kernel's names), plugins/ (nbgrader plug-ins, one per module), batch/ (a class, serially, on
   every core or on a Dask cluster), scan/ (the static tamper scan).
4. Renderers and commands: summary (the score table), grades_csv (`nbgrader export`), report,
   feedback and feedback_page, lms/ (roster, collectors, LMS grade files), gradescope/, lti/ (the
   LTI 1.3 tool), commands/ (one module per console command, and grade_steps: coursekit-grade's
   steps, shared with the LTI worker; `coursekit-lti` is lti/cli).

docs/architecture.md draws the data flow. Developer tools (corpus harness, example builders, demo,
benchmarks) live in devtools/, outside the package; the package never reads tests/.
"""
