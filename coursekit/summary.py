"""The table an instructor reads after grading: each student's score per notebook and in total.

Renders the results model (coursekit.results): `table(course_results(course))`: final scores (the
late penalty subtracted, as nbgrader's rule has it). A notebook that was not graded counts 0 of its
maximum, as in nbgrader's gradebook.  A withheld score (and
the total it is part of) is marked `*`: it is in no export until cleared (`coursekit-review`).
"""

from .spec import NOTEBOOKS


def table(results):
    """Plain text: one row per student (sorted), `score/max` per notebook, total and percentage."""
    header = ["student", *(nb[:2] for nb in NOTEBOOKS), "total", "%"]
    lines = [header]
    for student, result in sorted(results.items()):
        per_nb = result.notebooks
        total, top = result.final_score, result.max_score
        mark = "*" if result.withheld else ""
        lines.append([student, *(f"{per_nb[nb].final_score:g}/{per_nb[nb].max_score:g}"
                                 + ("*" if per_nb[nb].withheld else "")
                                 for nb in NOTEBOOKS),
                      f"{total:g}/{top:g}{mark}", f"{100 * total / top:.0f}{mark}" if top else "-"])
    widths = [max(len(str(row[i])) for row in lines) for i in range(len(header))]
    text = ["  ".join(str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=False))) for row in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    legend = "columns 01-03: " + ", ".join(NOTEBOOKS)
    if any(result.withheld for result in results.values()):
        legend += "\n* withheld for review: in no export until cleared (coursekit-review lists and clears)"
    return "\n".join(text) + "\n" + legend
