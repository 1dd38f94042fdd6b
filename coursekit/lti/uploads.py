"""What a student may upload, checked before anything is written: the upload rules and their settings.

An upload is hostile data.  Each file must be named exactly as one of the assignment's notebooks
(coursekit.spec; the name only selects which notebook it is: nothing is ever written under it), at
most once, at most LtiUploads.max_notebook_bytes (read no further), UTF-8 JSON that nbformat accepts
as a version 4 notebook, and hold at least one cell of that notebook's exercises (nbgrader's
grade_id), so that notebook 02 handed in under 01's name is caught before it is graded as 01.  The
first rule broken refuses the whole upload, with a message saying which file and why (UploadRefused).
"""

import json
import re
import warnings

import nbformat
from traitlets import Integer
from traitlets.config import LoggingConfigurable

from ..spec import NOTEBOOKS, exercise_of

NAMES = {f"{nb}.ipynb": nb for nb in NOTEBOOKS}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LtiUploads(LoggingConfigurable):
    """The student's page's uploads (coursekit/lti/uploads.py, docs/lti.md)."""

    max_notebook_bytes = Integer(8 * 2**20, help="The largest notebook file a student may upload, in bytes; a "
                                                 "larger one is refused and nothing is read past it.").tag(config=True)
    rate_limit = Integer(10, help="How many uploads one student may make within rate_window seconds; one more "
                                  "is refused (HTTP 429) and says when to try again.").tag(config=True)
    rate_window = Integer(600, help="The window of the upload rate limit, in seconds.").tag(config=True)

    @property
    def max_request_bytes(self):
        """The largest upload request: every notebook at its largest, plus the form."""
        return len(NOTEBOOKS) * self.max_notebook_bytes + 64 * 1024


class UploadRefused(Exception):
    """An upload refused: `reason` for the student, the HTTP `status`, and `retry_after` seconds (429)."""

    def __init__(self, reason, status=400, retry_after=None):
        super().__init__(reason)
        self.reason, self.status, self.retry_after = reason, status, retry_after


def size_text(limit):
    """A size limit as a person reads it: 8 MiB, 100 kB."""
    return f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit / 1000:g} kB"


def invalid_part(error):
    """Where nbformat found a notebook invalid, without quoting the notebook back (a cell may be long)."""
    path = list(getattr(error, "absolute_path", None) or getattr(error, "path", None) or [])
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        return f"its cell {path[1] + 1} is not a notebook cell"
    if path:
        return f"its “{shown(str(path[0]))}” is not as nbformat 4 has it"
    return "it does not follow nbformat 4"


def shown(name):
    """A file name as sent, safe and short enough to quote back."""
    text = CONTROL.sub("", name or "")
    return text if len(text) <= 80 else text[:77] + "..."


def notebook_of(filename):
    if filename not in NAMES:
        raise UploadRefused(f"“{shown(filename)}” is not a notebook of this assignment. Upload the notebooks under "
                            f"their own names: {', '.join(NAMES)}.")
    return NAMES[filename]


def read_bounded(stream, filename, limit):
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(f"{shown(filename)} is larger than {size_text(limit)}, the most this assignment "
                            f"takes: clear the outputs of large cells (Kernel > Restart & Clear Output) and save "
                            f"it again.", status=413)
    return data


def parsed(data, filename):
    """The upload as an nbformat v4 notebook, or UploadRefused."""
    try:
        data = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UploadRefused(f"{shown(filename)} is not a notebook file (a notebook is JSON text): upload the "
                            f".ipynb file Jupyter saved.") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        raise UploadRefused(f"{shown(filename)} is not a valid Jupyter notebook (not nbformat 4): upload the .ipynb "
                            f"file Jupyter saved.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node = nbformat.from_dict(data)
            nbformat.validate(node)
    except (nbformat.ValidationError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise UploadRefused(f"{shown(filename)} is not a valid Jupyter notebook ({invalid_part(error)}): upload the "
                            f".ipynb file Jupyter saved.") from None
    return node


def exercises_in(node, notebook):
    grade_ids = [cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in node.cells]
    return {exercise_of(gid, notebook) for gid in grade_ids if isinstance(gid, str)} - {None}


def check_is(node, notebook, filename):
    """The notebook must hold cells of its own exercises (a notebook handed in under another's name not)."""
    if exercises_in(node, notebook):
        return
    others = [nb for nb in NOTEBOOKS if nb != notebook and exercises_in(node, nb)]
    hint = f" It looks like {others[0]}.ipynb." if others else ""
    raise UploadRefused(f"{shown(filename)} holds none of the exercises of {notebook}.{hint} Upload each notebook "
                        f"under its own name.")


def check_upload(files, settings: LtiUploads):
    """files: [(file name as sent, a binary stream)]; returns {notebook: bytes as sent}, or UploadRefused."""
    chosen = [(name, stream) for name, stream in files if name]
    if not chosen:
        raise UploadRefused("No file was chosen: choose one or more notebooks, then Hand in.")
    found = {}
    for filename, stream in chosen:
        notebook = notebook_of(filename)
        if notebook in found:
            raise UploadRefused(f"{shown(filename)} was chosen twice: choose each notebook once.")
        data = read_bounded(stream, filename, settings.max_notebook_bytes)
        check_is(parsed(data, filename), notebook, filename)
        found[notebook] = data
    return found
