"""From an LMS download to the LMS gradebook, through nbgrader's own plugin points.

- roster.py:  the roster CSV (students, Canvas ids, groups, excused) and each Moodle assignment's
              participant numbers (its grading worksheet); `python -m coursekit.commands.lms roster` loads
              the roster into the gradebook;
- download_names.py: Canvas's and Moodle's own naming rules for downloads, ported;
- collect.py: `nbgrader zip_collect` collectors (CanvasCollector, MoodleCollector) and the
              collect report;
- exporters.py: `nbgrader export` plugins (CanvasExport, MoodleExport, ExerciseExport);
- the scores come from the course's results model (coursekit/results.py).
docs/lms.md is the instructor's guide.  nbgrader loads the plugins by their names here
(`--collector=coursekit.lms.CanvasCollector`, `--exporter=coursekit.lms.CanvasExport`).
"""

from .collect import CanvasCollector, LmsCollector, MoodleCollector  # noqa: F401
from .exporters import CanvasExport, ExerciseExport, LmsExport, MoodleExport, moodle_time, points  # noqa: F401
from .roster import (  # noqa: F401
    LmsRoster,
    Roster,
    RosterError,
    Student,
    load_into_gradebook,
    read_moodle_worksheet,
    read_roster,
    write_roster,
)
