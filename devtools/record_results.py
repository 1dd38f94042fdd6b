"""Record what grading the example students yields, for the quick tests (tests/recorded/).

The quick tier renders the score table, the class report CSV and the feedback summary rows from
this recorded results model, without grading anything; the slow tier checks that a fresh grading
still gives exactly the recorded model (tests/test_results.py), so the recording cannot go stale.

`python -m devtools.record_results` grades the examples in a temporary course and rewrites
tests/recorded/examples/.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from coursekit.course import generate_release
from coursekit.grading import batch as grade
from coursekit.results import course_results

from . import examples
from .scratch import REPO, new_course

RECORDED = REPO / "tests" / "recorded" / "examples"


def graded_examples(workdir):
    """A scratch course with the example students autograded; returns its path."""
    course = new_course(Path(workdir) / "course")
    generate_release(course)
    for student in examples.STUDENTS:
        shutil.copytree(examples.EXAMPLES / student, course / "submitted" / student)
    runs = grade.autograde(course, force=True)
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
    return out


def main():
    with tempfile.TemporaryDirectory(prefix="record-") as tmp:
        print(f"wrote {write(graded_examples(tmp))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
