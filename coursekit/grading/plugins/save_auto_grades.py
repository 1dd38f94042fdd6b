"""nbgrader's SaveAutoGrades, reading the submission's grades and comments once instead of once
per cell (Autograde's last steps, named in nbgrader_config.py)."""

from nbgrader import preprocessors as nbgrader_preprocessors
from nbgrader.preprocessors import NbGraderPreprocessor

from .notebook_gradebook import NotebookGradebook


class SaveAutoGrades(nbgrader_preprocessors.SaveAutoGrades):
    """nbgrader's: each grade and comment found in one read of the submission's (NotebookGradebook)."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = NotebookGradebook(self.db_url, self.notebook_id, self.assignment_id, self.student_id)
        with self.gradebook:
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        return nb, resources
