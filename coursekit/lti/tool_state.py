"""What every view of the tool's Flask app shares: the course, its settings, the store, the LMS.

Kept in the app (app.extensions), built once by web.create_app; nothing else lives in the process, so
the service can restart at any time.
"""

import dataclasses
import datetime
import threading
from pathlib import Path

from flask import current_app, render_template

from .config import LtiTool
from .platform import Platform
from .server import LtiServer
from .store import Store
from .uploads import LtiUploads

EXTENSION = "coursekit.lti"


@dataclasses.dataclass
class ToolState:
    course: Path
    tool: LtiTool
    store: Store
    conf: object  # pylti1p3's ToolConfDict
    db_url: str
    uploads: LtiUploads
    server: LtiServer
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    _platform: Platform | None = None

    @property
    def platform(self):
        with self.lock:
            if self._platform is None:
                self._platform = Platform(self.course, self.tool)
            return self._platform

    def session(self):
        return self.platform.session()


def state() -> ToolState:
    return current_app.extensions[EXTENSION]


def page(template, **values):
    return render_template(template, label=state().tool.label, **values)


def when(moment):
    """A time (seconds since the epoch, or ISO 8601) as the pages show it: (ISO for <time>, text)."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        stamp = datetime.datetime.fromisoformat(moment)
    else:
        stamp = datetime.datetime.fromtimestamp(moment, datetime.UTC)
    stamp = stamp.astimezone(datetime.UTC)
    return stamp.isoformat(timespec="seconds"), stamp.strftime("%Y-%m-%d %H:%M:%S UTC")
