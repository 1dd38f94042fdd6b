"""The student's kernel: the bubblewrap sandbox that starts it, its resource limits, the bounded client."""
