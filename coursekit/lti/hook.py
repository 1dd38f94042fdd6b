"""coursekit-grade's last step: the final scores to the LMS, when LTI is configured.

Grading has succeeded whatever the LMS answers: a push that cannot reach the LMS is reported and its
scores go with the next push (coursekit-lti push, or the next coursekit-grade).  Off with
c.LtiTool.push_after_grading = False.
"""

import sys

from .config import settings_of
from .context import choose
from .platform import Platform
from .push import push, summary
from .store import open_store


def push_after_grading(course, out=None):
    """Push when configured and wanted; return the push Report, or None when nothing was pushed."""
    out = out or sys.stdout
    tool = settings_of(course)
    if not tool.configured or not tool.push_after_grading:
        return None
    print("\nLTI: sending the final scores to the LMS (c.LtiTool.push_after_grading = False turns this off)", file=out)
    if tool.missing():
        print("LTI: nothing sent: settings missing in nbgrader_config.py: "
              + ", ".join(f"c.LtiTool.{name}" for name in tool.missing()), file=out)
        return None
    store = None
    try:
        store = open_store(course, tool.db_url or None)
        report = push(course, Platform(course, tool), store, choose(store, tool), tool.store_url(course),
                      tool.missing_as_zero)
        print(summary(report), file=out)
        return report
    except Exception as error:  # noqa: BLE001 - grading has succeeded whatever happens here; the next push sends
        print(f"LTI: nothing sent: {error}. `coursekit-lti push` sends the scores later.", file=out)
        return None
    finally:
        if store is not None:
            store.close()
