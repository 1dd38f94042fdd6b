"""Grading untrusted notebooks: the sandboxed kernel (sandbox), nbgrader's Execute step with
limits and fair sanitizing (execute), and safe batch grading with per-notebook statuses (batch)."""
