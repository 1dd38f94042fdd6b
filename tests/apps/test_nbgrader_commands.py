"""nbgrader's commands as the package runs them (coursekit.course.nbgrader: forked from the fork
server, coursekit/fork_server.py) behave as a new `nbgrader` process does: the same exit code, the
same output, in the folder and environment given, and the caller's own folder and environment kept."""

import os
import subprocess

import pytest

from coursekit.course import BIN, environment, nbgrader
from devtools.scratch import new_course

COMMANDS = {
    "version": ["--version"],
    "unknown option": ["export", "--no-such-option"],
    "no such assignment": ["autograde", "no_such_assignment"],
}


@pytest.fixture(scope="module")
def scratch_course(tmp_path_factory):
    return new_course(tmp_path_factory.mktemp("commands") / "course")


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_forked_command_ends_and_prints_as_a_new_nbgrader_process(scratch_course, args):
    alone = subprocess.run([str(BIN / "nbgrader"), *args], cwd=scratch_course, env=environment(),
                           capture_output=True, text=True)
    forked = nbgrader(*args, cwd=scratch_course, check=False)
    assert forked.returncode == alone.returncode
    assert forked.stdout == alone.stdout
    assert forked.stderr.splitlines()[-1:] == alone.stderr.splitlines()[-1:]  # the error, or its last log line


def test_the_folder_and_environment_are_the_commands_own(scratch_course, tmp_path):
    before, here = dict(os.environ), os.getcwd()
    env = {**environment(), "HOME": str(tmp_path)}  # nbgrader reads the user's config from ~/.jupyter
    (tmp_path / ".jupyter").mkdir()
    (tmp_path / ".jupyter" / "nbgrader_config.py").write_text('c.ExportPlugin.to = "from_home.csv"\n')
    nbgrader("export", cwd=scratch_course, env=env)
    assert (scratch_course / "from_home.csv").is_file()  # written in the folder given, as HOME's config says
    assert not (scratch_course / "grades.csv").exists() and not (tmp_path / "from_home.csv").exists()
    assert os.getcwd() == here and dict(os.environ) == before


def test_a_failed_command_raises_with_its_output(scratch_course):
    with pytest.raises(RuntimeError, match="No notebooks were matched"):
        nbgrader("autograde", "no_such_assignment", cwd=scratch_course)
