"""nbgrader's DeduplicateIds, fixed so that a copied cell costs only its own exercise (Autograde's
sanitize step, named in nbgrader_config.py)."""

from nbgrader import preprocessors as nbgrader_preprocessors


class DeduplicateIds(nbgrader_preprocessors.DeduplicateIds):
    """nbgrader's, except that a duplicate cell keeps no nbgrader metadata at all.

    nbgrader keeps the last cell of a grade_id and empties the others' metadata to {}, on which
    OverwriteCells.add_missing_task_cells (add_missing_cells = True) fails with KeyError: a
    student who copied a cell in Jupyter (the copy keeps the metadata) lost the whole notebook.
    """

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader") == {}:
                del cell.metadata["nbgrader"]
        return nb, resources
