"""Split grading: the instructor's test cells run in the grading process, student code only in its kernel."""
