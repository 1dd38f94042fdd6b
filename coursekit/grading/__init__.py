"""Grading untrusted notebooks: the sandboxed kernel (sandbox), nbgrader's Execute step with
limits and fair sanitizing (execute), test cells run in the grading process against the kernel's
names (split; student, the kernel's names and functions as the grader sees them; channel, the
grader's own Jupyter connection; agent, the kernel's side; wire, the plain data between them), nbgrader's
CheckCellMetadata with its schema compiled once (metadata), what of a submission is read, never
a symbolic link (submission), safe batch grading with per-notebook statuses (batch), a class
graded on many processes or a Dask cluster with one process recording (parallel; worker, the
unit of work; rows, a student's gradebook rows as plain data; progress), and the static tamper
scan of submissions, which reads the code and never runs it (scan)."""
