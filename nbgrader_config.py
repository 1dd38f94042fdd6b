"""nbgrader settings for this course: only what differs from nbgrader's defaults."""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# Every release notebook opens with the same student note (how to work, that hidden tests decide
# the grade); keeping it in one header notebook avoids three drifting copies.
c.IncludeHeaderFooter.header = "source/header.ipynb"

# Student code is untrusted: autograde runs it in the bubblewrap sandbox with resource limits and
# stops a notebook fairly when one is hit (coursekit/execute.py); the rest is nbgrader's default list.
c.Autograde.autograde_preprocessors = [
    "coursekit.execute.LimitedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Before execution: nbgrader's sanitizing steps, two of them fixed (coursekit/execute.py) so that a
# copied cell or an edited nbgrader flag costs only that cell's exercise, not the whole notebook.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "coursekit.execute.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "coursekit.execute.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A student who deletes a test cell is still tested: nbgrader puts missing grade cells back.
c.OverwriteCells.add_missing_cells = True

# The limits, with their defaults (uncomment to change; see README, "Grading safely"):
# c.LimitedExecute.timeout = 30              # seconds per cell (nbgrader's own setting)
# c.LimitedExecute.notebook_timeout = 300    # seconds per notebook
# c.LimitedExecute.max_output_bytes = 2000000
# c.LimitedExecute.memory_mb = 2048
# c.LimitedExecute.cpu_seconds = 120
# c.LimitedExecute.processes = 64
# c.LimitedExecute.file_mb = 64
# c.LimitedExecute.use_sandbox = True        # False grades without bubblewrap: unsafe

# Feedback students can use (coursekit/feedback.py): test cells as released, failure messages without
# hidden-test tracebacks (nbgrader shows them: #917), and a per-exercise table at the top.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "coursekit.feedback.HideHiddenTests",
    "coursekit.feedback.ExerciseSummary",
    "coursekit.feedback_page.PlainFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The page readable offline, maths included (coursekit/feedback_page.py): nbgrader's feedback
# template with MathJax inlined from an installed package instead of a CDN.  (nbgrader puts the
# current directory on sys.path before it reads this file, so coursekit imports.)
from coursekit.feedback_page import TEMPLATE_BASEDIRS  # noqa: E402

c.HTMLExporter.template_name = "offline_feedback"
c.HTMLExporter.template_file = "offline.html.j2"
c.HTMLExporter.extra_template_basedirs = TEMPLATE_BASEDIRS
