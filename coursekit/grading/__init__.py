"""Grading untrusted notebooks: the sandboxed kernel (sandbox), nbgrader's Execute step with
limits and fair sanitizing (execute), safe batch grading with per-notebook statuses (batch), and
the static tamper scan of submissions, which reads the code and never runs it (scan)."""
