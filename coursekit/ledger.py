"""The withheld ledger: why each doubtful notebook's grade is withheld, and who cleared it when.

A leaf of the package. `withheld.json`, in the course directory beside `gradebook.db` (a term's
data, never committed), holds one entry per "student/notebook": the reason, the sha256 of the
submitted file and, once cleared, {"by", "at"}. coursekit/review.py writes it; the results model
reads the reasons from it.
"""

import datetime
import json
from pathlib import Path

LEDGER = "withheld.json"
UNEXPLAINED = "needs manual grading in the gradebook"  # flagged, but not by coursekit-grade (e.g. nbgrader itself)


def read_ledger(course):
    """{"student/notebook": {"reason", "sha256", "cleared": None | {"by", "at"}}}."""
    path = Path(course) / LEDGER
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_ledger(course, ledger):
    (Path(course) / LEDGER).write_text(json.dumps(ledger, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def key(student, notebook):
    return f"{student}/{notebook}"


def reason_of(course, student, notebook):
    """Why the notebook is withheld, as recorded when it was marked."""
    entry = read_ledger(course).get(key(student, notebook))
    return entry["reason"] if entry else UNEXPLAINED


def clearance(by):
    return {"by": by, "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}
