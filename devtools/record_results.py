"""Record what grading the example students yields, for the quick tests (tests/recorded/).

The quick tier renders the score table, the class report CSV and the feedback summary rows from
this recorded results model, without grading anything, and compares them with the renderings
recorded beside it (golden files: a change of wording or layout shows up as a reviewed diff); the
slow tier checks that a fresh grading still gives exactly the recorded model (tests/model/test_results.py),
so the recording cannot go stale.

`python -m devtools.record_results` grades the examples in a temporary course and rewrites
tests/recorded/examples/: the model, then its renderings.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup

from coursekit import feedback, report
from coursekit.course import generate_release
from coursekit.grading.batch.serial import autograde
from coursekit.results import StudentResult, course_results
from coursekit.summary import table

from . import examples
from .scratch import REPO, new_course

RECORDED = REPO / "tests" / "recorded" / "examples"


def graded_examples(workdir):
    """A scratch course with the example students autograded; returns its path."""
    course = new_course(Path(workdir) / "course")
    generate_release(course)
    for student in examples.STUDENTS:
        shutil.copytree(examples.EXAMPLES / student, course / "submitted" / student)
    runs = autograde(course, force=True)
    failed = [r.stderr[-2000:] for r in runs.values() if r.returncode != 0]
    if failed:
        raise RuntimeError("\n".join(failed))
    return course


def recordable(results):
    """{student: model as a dict}, without the cells' raw output (it names temporary paths)."""
    data = {}
    for student, result in results.items():
        d = result.to_dict()
        for nb in d["notebooks"].values():
            for e in nb["exercises"].values():
                for c in e["cells"]:
                    c["output"] = ""
        data[student] = d
    return data


def write(course, out=RECORDED):
    out.mkdir(parents=True, exist_ok=True)
    data = recordable(course_results(course))
    (out / "results.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    write_renderings({student: StudentResult.from_dict(d) for student, d in data.items()}, out)
    return out


def summary_rows(notebook):
    """The feedback page's per-exercise table of a NotebookResult as text rows, as a student reads them."""
    soup = BeautifulSoup(feedback.summary_html(notebook), "html.parser")
    return [[td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])] for tr in soup.select("tbody tr")]


def write_renderings(results, out):
    """The score table, the class report CSV and the feedback summary rows of the recorded model."""
    (out / "score_table.txt").write_text(table(results) + "\n", encoding="utf-8")
    exercises, _ = report.class_results(results)
    report.write_csv(exercises, out / "exercises.csv")
    rows = {f"{student}/{nb}": summary_rows(result.notebooks[nb])
            for student, result in results.items() for nb in result.notebooks}
    (out / "feedback_rows.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main():
    with tempfile.TemporaryDirectory(prefix="record-") as tmp:
        print(f"wrote {write(graded_examples(tmp))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
