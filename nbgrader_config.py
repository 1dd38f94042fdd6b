"""nbgrader settings for this course: only what differs from nbgrader's defaults."""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# Every release notebook opens with the same student note (how to work, that hidden tests decide
# the grade); keeping it in one header notebook avoids three drifting copies.
c.IncludeHeaderFooter.header = "source/header.ipynb"

# Student code is untrusted: autograde runs it in the bubblewrap sandbox with resource limits and
# stops a notebook fairly when one is hit, tests run outside the student's kernel (LimitedExecute); the
# rest is nbgrader's default list, with CheckCellMetadata's schema compiled once instead of per cell.
# One nbgrader plug-in per module, in coursekit/grading/plugins/.
c.Autograde.autograde_preprocessors = [
    "coursekit.grading.plugins.limited_execute.LimitedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "coursekit.grading.plugins.save_auto_grades.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "coursekit.grading.plugins.check_cell_metadata.CheckCellMetadata",
]
# Before execution: nbgrader's sanitizing steps, two of them fixed (coursekit/grading/plugins/) so that a
# copied cell or an edited nbgrader flag costs only that cell's exercise, not the whole notebook.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "coursekit.grading.plugins.deduplicate_ids.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "coursekit.grading.plugins.overwrite_cells.OverwriteCells",
    "coursekit.grading.plugins.check_cell_metadata.CheckCellMetadata",
]
# A student who deletes a test cell is still tested: nbgrader puts missing grade cells back.
c.OverwriteCells.add_missing_cells = True
# nbconvert validates the whole notebook after every preprocessor (a dozen times per notebook, 8 %
# of the grading process's time); once, after the last, still catches an invalid result.
c.Exporter.optimistic_validation = True

# The grading limits (time, memory, CPU, processes, files, output) are LimitedExecute's settings,
# each defined once with its default and meaning: `coursekit-settings` lists them. Override here, e.g.
# c.LimitedExecute.notebook_timeout = 600

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
# template with MathJax inlined from an installed package instead of a CDN.
from coursekit.feedback_page import TEMPLATE_BASEDIRS  # noqa: E402

c.HTMLExporter.template_name = "offline_feedback"
c.HTMLExporter.template_file = "offline.html.j2"
c.HTMLExporter.extra_template_basedirs = TEMPLATE_BASEDIRS
# nbconvert's HTML exporter, minus a whole-page re-parse that changes nothing on most pages: half the time.
c.GenerateFeedback.exporter_class = "coursekit.feedback_page.FeedbackPageExporter"

# A withheld grade (flagged for review by coursekit-grade) must not reach grades.csv: plain
# `nbgrader export` writes "withheld for review" instead of its score (coursekit/grades_csv.py).
c.ExportApp.plugin_class = "coursekit.grades_csv.GradesExport"
