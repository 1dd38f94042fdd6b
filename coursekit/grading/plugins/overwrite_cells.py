"""nbgrader's OverwriteCells, fixed so that an edited nbgrader flag or a deleted cell costs only its
own exercise (Autograde's sanitize step, named in nbgrader_config.py)."""

import nbformat
from nbgrader import preprocessors as nbgrader_preprocessors
from nbgrader.preprocessors import NbGraderPreprocessor

from .notebook_gradebook import NotebookGradebook


class OverwriteCells(nbgrader_preprocessors.OverwriteCells):
    """nbgrader's, which also puts back the `grade` and `solution` flags from the gradebook.

    nbgrader restores a known cell's source, type, lock and points but not these flags, and then
    fails the whole notebook on the checksum ("Inconsistent checksums"): a test cell edited to
    `grade: false` lost every point of the notebook instead of only its own exercise's.
    """

    def preprocess(self, nb, resources):
        """nbgrader's, with a gradebook that reads this notebook's cells once (NotebookGradebook)."""
        self._cells = None  # the gradebook's cells of this notebook: read once, on the first cell
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = NotebookGradebook(self.db_url, self.notebook_id, self.assignment_id)
        with self.gradebook:
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources

    def _instructor_cells(self):
        """(source cell names, {"grade": grade cell names, "solution": solution cell names})."""
        if self._cells is None:
            notebook = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
            self._cells = ({c.name for c in notebook.source_cells},
                           {"grade": {c.name for c in notebook.grade_cells},
                            "solution": {c.name for c in notebook.solution_cells}})
        return self._cells

    def add_missing_grade_cells(self, nb, resources):
        """nbgrader's, placing each missing grade cell right after the nearest earlier cell of the
        gradebook that the notebook still has (first, if none).

        nbgrader looks only at the cell just before the missing one, and fails the whole notebook
        with KeyError when that one is gone too or is not a grade or solution cell: a student who
        deleted an answer together with its first test cell lost every exercise of the notebook.
        """
        source = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [cell.name for cell in source.source_cells]
        cells = {cell.name: cell for cell in source.source_cells}
        grade = {cell.name: cell.max_score for cell in source.grade_cells}
        solutions = {cell.name for cell in source.solution_cells}
        for position, name in enumerate(order):
            present = [cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in nb.cells]
            if name not in grade or name in present:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", name)
            earlier = next((n for n in reversed(order[:position]) if n in present), None)
            at = 0 if earlier is None else present.index(earlier) + 1
            nb.cells.insert(at, nbformat.from_dict(
                self.missing_cell_transform(cells[name], grade[name], is_solution=name in solutions)))
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id is not None:
            sources, flagged = self._instructor_cells()
            if grade_id in sources:  # else not the instructor's cell: nbgrader's own handling below
                for flag in ("grade", "solution"):
                    should = grade_id in flagged[flag]
                    if bool(meta.get(flag)) != should:
                        self.report_change(grade_id, flag, should, meta.get(flag))
                        meta[flag] = should
                if meta.get("grade"):
                    meta.setdefault("points", 0)  # the gradebook's points are put back below
        return super().preprocess_cell(cell, resources, cell_index)
