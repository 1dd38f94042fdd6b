"""Hidden-test and solution markers other than nbgrader's defaults, as an instructor may configure them
(ClearHiddenTests.begin_test_delimeter, ClearSolutions.begin_solution_delimeter, ...): the redaction
must take these, never the default strings."""

OTHER = {"ClearHiddenTests": {"begin_test_delimeter": "<<< SECRET CHECKS", "end_test_delimeter": ">>> SECRET CHECKS"},
         "ClearSolutions": {"begin_solution_delimeter": "## <<< MODEL ANSWER",
                            "end_solution_delimeter": "## >>> MODEL ANSWER"}}
# The source notebooks' marker lines, rewritten to OTHER's markers.
RENAMED = {"### BEGIN HIDDEN TESTS": "# <<< SECRET CHECKS", "### END HIDDEN TESTS": "# >>> SECRET CHECKS",
           "### BEGIN SOLUTION": "## <<< MODEL ANSWER", "### END SOLUTION": "## >>> MODEL ANSWER"}
