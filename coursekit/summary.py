"""The table an instructor reads after grading: each student's score per notebook and in total."""

from nbgrader.api import Gradebook

from .spec import ASSIGNMENT, NOTEBOOKS


def score_rows(db_url):
    """(student, {notebook: (score, max_score)}, total, max_total) for every student in the gradebook."""
    rows = []
    with Gradebook(db_url) as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        max_by_nb = {nb.name: nb.max_score for nb in assignment.notebooks}
        for student in sorted(gb.students, key=lambda s: s.id):
            try:
                submission = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:  # noqa: BLE001 - MissingEntry: the student submitted nothing
                scores = {}
            else:
                scores = {nb.name: (nb.score, nb.max_score) for nb in submission.notebooks}
            per_nb = {nb: scores.get(nb, (0.0, max_by_nb.get(nb, 0.0))) for nb in NOTEBOOKS}
            rows.append((student.id, per_nb, sum(s for s, _ in per_nb.values()),
                         sum(m for _, m in per_nb.values())))
    return rows


def table(rows):
    header = ["student", *(nb[:2] for nb in NOTEBOOKS), "total", "%"]
    lines = [header]
    for student, per_nb, total, top in rows:
        lines.append([student, *(f"{per_nb[nb][0]:g}/{per_nb[nb][1]:g}" for nb in NOTEBOOKS),
                      f"{total:g}/{top:g}", f"{100 * total / top:.0f}" if top else "-"])
    widths = [max(len(str(row[i])) for row in lines) for i in range(len(header))]
    text = ["  ".join(str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
                      for i, (cell, w) in enumerate(zip(row, widths))) for row in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    legend = "columns 01-03: " + ", ".join(NOTEBOOKS)
    return "\n".join(text) + "\n" + legend
