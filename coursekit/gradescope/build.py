"""`coursekit-gradescope build`: the autograder zip to upload to Gradescope.

Gradescope's autograder spec (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
`setup.sh` and `run_autograder` at the zip's root; Gradescope unpacks it into /autograder/source.
The zip ships what grading needs and nothing else:
- setup.sh and run_autograder (files beside this module) and scripts/setup.sh, which setup.sh
  runs, as every other set-up of this course does: it installs the pins of requirements.txt and
  this package (pyproject.toml and the coursekit modules below), so nbgrader finds the plugins
  nbgrader_config.py names in any working directory;
- the course's nbgrader_config.py;
- source/ with every solution cleared by nbgrader's own ClearSolutions (with the course's
  config), so `nbgrader generate_assignment` can still build the gradebook, with the hidden
  tests and checks.py, in the scratch course; no solution ever reaches the container;
- the coursekit modules that grading imports (found by importing them in a fresh interpreter),
  not the developer tools (corpus, benchmarks, examples, demo, LMS).
Entries have fixed times and modes: the same files make the same zip.
"""

import json
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions
from traitlets.config import Config, PyFileConfigLoader

from ..course import environment

HERE = Path(__file__).resolve().parent
# The project this package is part of (a checkout): pyproject.toml, requirements.txt, scripts/.
PROJECT = HERE.parent.parent
SCRIPTS = ("setup.sh", "run_autograder")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
IGNORED = re.compile(r"(^|/)(__pycache__|\.ipynb_checkpoints)(/|$)|\.pyc$")
# What grading loads: this package's command, every coursekit plugin named in the config, and
# the tamper scan, which coursekit.review.withhold_doubtful imports only when it runs.
ENTRY = "coursekit.commands.gradescope"
LAZY = ("coursekit.grading.scan",)


def course_config(repo="."):
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(repo))
    try:
        return loader.load_config()
    except Exception:  # noqa: BLE001 - a config without the file: nbgrader's defaults
        return Config()


def grading_modules(repo="."):
    """coursekit's files that grading with course `repo`'s config imports, relative to PROJECT."""
    config = (Path(repo) / "nbgrader_config.py").read_text()
    plugins = sorted({name.rsplit(".", 1)[0] for name in re.findall(r"[\"'](coursekit\.[\w.]+)[\"']", config)})
    probe = ("import importlib, json, sys\n"
             f"for name in {[ENTRY, *LAZY, *plugins]!r}: importlib.import_module(name)\n"
             "print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items()\n"
             "                        if (n == 'coursekit' or n.startswith('coursekit.'))\n"
             "                        and getattr(m, '__file__', None))))")
    found = subprocess.run([sys.executable, "-c", probe], cwd=repo, env=environment(), capture_output=True, text=True,
                           check=True)
    return sorted(Path(f).resolve().relative_to(PROJECT).as_posix() for f in json.loads(found.stdout))


def source_without_solutions(path, config):
    """A source notebook as grading needs it: nbgrader's ClearSolutions applied, hidden tests kept."""
    nb = nbformat.read(str(path), as_version=4)
    nb, _ = ClearSolutions(config=config).preprocess(nb, {})
    return nbformat.writes(nb).encode()


def members(repo="."):
    """{name in the zip: (bytes, mode)} for everything the autograder of course `repo` needs."""
    repo = Path(repo)
    config = course_config(repo)
    files = {name: ((HERE / name).read_bytes(), 0o755) for name in SCRIPTS}
    files["nbgrader_config.py"] = ((repo / "nbgrader_config.py").read_bytes(), 0o644)
    for name in ("pyproject.toml", "requirements.txt", "scripts/setup.sh"):
        files[name] = ((PROJECT / name).read_bytes(), 0o644)
    for path in sorted((repo / "source").rglob("*")):
        name = path.relative_to(repo).as_posix()
        if path.is_file() and not IGNORED.search(name):
            data = source_without_solutions(path, config) if path.suffix == ".ipynb" else path.read_bytes()
            files[name] = (data, 0o644)
    for name in grading_modules(repo):
        files[name] = ((PROJECT / name).read_bytes(), 0o644)
    return files


def build(out="dist/gradescope.zip", repo="."):
    """Write the autograder zip of course `repo` (default: the working directory); return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, (data, mode) in sorted(members(repo).items()):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = (stat.S_IFREG | mode) << 16  # Unix mode bits: unzip keeps them
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out
