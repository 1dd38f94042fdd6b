"""Every console command of pyproject.toml starts: installed, importable, and `--help` exits 0."""

import importlib
import tomllib

import pytest

from coursekit.commands.settings import configurable_classes
from coursekit.course import BIN
from devtools.scratch import REPO

SCRIPTS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]


def test_there_are_console_commands():
    assert {"coursekit-grade", "coursekit-review", "coursekit-report", "coursekit-scan", "coursekit-lms",
            "coursekit-gradescope", "coursekit-settings", "coursekit-lti"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_a_command_is_installed_and_its_help_exits_0(name, capsys):
    assert (BIN / name).is_file(), f"{name} is not installed: run scripts/setup.sh"
    module, function = SCRIPTS[name].split(":")
    main = getattr(importlib.import_module(module), function)
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    assert "usage:" in capsys.readouterr().out.lower()


def test_coursekit_settings_lists_every_setting_of_the_package():
    """Every config=True trait of every Configurable class the package defines is listed."""
    listed = {(cls.__name__, name) for cls in configurable_classes() for name in cls.class_own_traits(config=True)}
    for expected in [("LimitedExecute", "memory_mb"), ("LimitedExecute", "split_tests"), ("LtiTool", "issuer"),
                     ("PlainFeedback", "mathjax_bundle")]:
        assert expected in listed
