"""The instructor's report after grading: which exercises the class struggled with.

Renders the results model (coursekit.results: every submission's points per exercise) as:

- `exercises.csv`: one row per exercise of the spec, in teaching order: notebook, exercise,
  max_points, mean_points (over the students with a submission whose score is not withheld
  for review), full_marks_rate (the fraction of them with every point of the exercise). Plain
  CSV (RFC 4180: header row, CRLF line ends).
- `exercises.png`: the same at a glance: one bar per exercise, hardest first, the bar the
  full-marks rate and a tick the mean score fraction, coloured by notebook; beside it the
  distribution of total scores (histogram of percentages) and each notebook's mean score.

In a course directory: `python -m coursekit.commands.report [--out reports]`; from code:
`write_report(course, out)`.
"""

import csv
import dataclasses
from pathlib import Path

from nbgrader.api import MissingEntry

from .course import gradebook_url, has_gradebook
from .results import course_results
from .spec import ASSIGNMENT, EXERCISES, NOTEBOOKS

CSV_NAME, PNG_NAME = "exercises.csv", "exercises.png"
CSV_COLUMNS = ["notebook", "exercise", "max_points", "mean_points", "full_marks_rate"]
NOTEBOOK_COLORS = ["#4c72b0", "#dd8452", "#55a868"]


@dataclasses.dataclass
class Exercise:
    notebook: str
    exercise: str
    max_points: float
    scores: dict  # student -> points, for every student with a submission

    @property
    def mean_points(self):
        return sum(self.scores.values()) / len(self.scores)

    @property
    def mean_fraction(self):
        return self.mean_points / self.max_points if self.max_points else 0.0

    @property
    def full_marks_rate(self):
        return sum(score >= self.max_points for score in self.scores.values()) / len(self.scores)


def class_results(results):
    """([Exercise in spec order], {student: total percentage}) from the results model.

    results: {student: coursekit.results.StudentResult}; only students with a submission count,
    and none whose score is withheld for review (coursekit-review).
    """
    graded = {s: r for s, r in results.items() if r.submitted and not r.withheld}
    if not graded:
        raise ValueError(f"no graded submission of {ASSIGNMENT} that is not withheld for review: grade first, "
                         "or review (coursekit-review)")
    students = sorted(graded)
    first = graded[students[0]]
    exercises = [Exercise(nb, name, first.notebooks[nb].exercises[name].max_score,
                          {s: graded[s].notebooks[nb].exercises[name].score for s in students})
                 for nb in NOTEBOOKS for name in EXERCISES[nb]]
    top = first.max_score
    totals = {s: 100 * graded[s].final_score / top for s in students}
    return exercises, totals


def write_csv(exercises, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)  # the csv module's default dialect ends lines with CRLF, as RFC 4180 says
        writer.writerow(CSV_COLUMNS)
        for e in exercises:
            writer.writerow([e.notebook, e.exercise, f"{e.max_points:g}", f"{e.mean_points:.4g}",
                             f"{e.full_marks_rate:.4f}"])


def plot(exercises, totals, path):
    """Exercises hardest first, coloured by notebook; beside them the totals and each notebook's mean."""
    # matplotlib here, not at the top: a second of imports that only drawing needs (the CSV, the
    # results and the tests that read them do not).
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed, none opened
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    hardest_first = sorted(exercises, key=lambda e: (e.full_marks_rate, e.mean_fraction))
    color = {nb: NOTEBOOK_COLORS[i % len(NOTEBOOK_COLORS)] for i, nb in enumerate(NOTEBOOKS)}
    fig, axes = plt.subplot_mosaic([["exercises", "totals"], ["exercises", "notebooks"], ["exercises", "legend"]],
                                   figsize=(13, 3 + 0.27 * len(exercises)), width_ratios=[3, 2],
                                   height_ratios=[3, 2, 5], layout="constrained")

    bars, rows = axes["exercises"], range(len(hardest_first))
    bars.barh(rows, [e.full_marks_rate for e in hardest_first], height=0.7,
              color=[color[e.notebook] for e in hardest_first])
    bars.scatter([e.mean_fraction for e in hardest_first], rows, marker="|", s=220, linewidths=2.5,
                 color="black", zorder=3)
    for row, e in zip(rows, hardest_first, strict=False):
        bars.text(max(e.full_marks_rate, e.mean_fraction) + 0.015, row,
                  f"{e.full_marks_rate:.0%} full marks, mean {e.mean_fraction:.0%}", va="center", fontsize=8)
    bars.set_yticks(list(rows), [e.exercise for e in hardest_first], fontsize=10)
    bars.set_ylim(len(hardest_first) - 0.5, -0.5)  # hardest at the top, no empty margin
    bars.set_xlim(0, 1.25)
    bars.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "25 %", "50 %", "75 %", "100 %"])
    bars.set_xlabel("bar: students with full marks; tick: mean score (share of the exercise's points)")
    bars.set_title(f"Exercises, hardest first ({len(totals)} students)", loc="left", fontsize=13)
    bars.grid(axis="x", alpha=0.3)
    legend = [Patch(color=color[nb], label=nb) for nb in NOTEBOOKS]
    legend.append(Line2D([], [], marker="|", linestyle="", markersize=14, markeredgewidth=2.5, color="black",
                         label="mean score"))
    axes["legend"].axis("off")
    axes["legend"].legend(handles=legend, loc="upper left", fontsize=11, frameon=False,
                          title="exercises: bar colour = notebook", title_fontsize=11)

    percentages = list(totals.values())
    hist = axes["totals"]
    hist.hist(percentages, bins=range(0, 101, 10), color="#8172b2", edgecolor="white")
    hist.set_xlim(0, 100)
    hist.set_xticks(range(0, 101, 20))
    hist.set_xlabel("total score (% of the points)")
    hist.set_ylabel("students")
    hist.yaxis.get_major_locator().set_params(integer=True)
    mean = sum(percentages) / len(percentages)
    hist.axvline(mean, color="black", linestyle="--", label=f"mean {mean:.0f} %")
    hist.legend(fontsize=9)
    hist.set_title("Total scores", loc="left", fontsize=13)

    per_nb = axes["notebooks"]
    means = [sum(e.mean_points for e in exercises if e.notebook == nb)
             / (sum(e.max_points for e in exercises if e.notebook == nb) or 1) for nb in NOTEBOOKS]
    per_nb.barh(range(len(NOTEBOOKS)), means, color=[color[nb] for nb in NOTEBOOKS], height=0.6)
    per_nb.set_yticks(range(len(NOTEBOOKS)), NOTEBOOKS, fontsize=9)
    per_nb.invert_yaxis()
    per_nb.set_xlim(0, 1)
    per_nb.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "25 %", "50 %", "75 %", "100 %"])
    per_nb.set_title("Mean score per notebook", loc="left", fontsize=13)
    per_nb.grid(axis="x", alpha=0.3)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(course=".", out="reports", db_url=None):
    """Write exercises.csv and exercises.png into course/out (made if missing); return their paths."""
    course = Path(course).resolve()
    db_url = db_url or gradebook_url(course)
    if not has_gradebook(course, db_url):  # opening it would create an empty one
        raise ValueError(f"no gradebook.db in {course}: run this in the course directory, after grading")
    try:
        results = course_results(course, db_url=db_url)
    except MissingEntry:
        raise ValueError(f"{ASSIGNMENT} is not in the gradebook {db_url}") from None
    exercises, totals = class_results(results)
    out = course / out
    out.mkdir(parents=True, exist_ok=True)
    write_csv(exercises, out / CSV_NAME)
    plot(exercises, totals, out / PNG_NAME)
    return out / CSV_NAME, out / PNG_NAME
