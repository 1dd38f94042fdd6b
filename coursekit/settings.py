"""Every setting of this course package, as nbgrader's own `--help-all` would list it.

Each setting is a traitlets trait defined once, on the class that uses it, with its default and
help text (e.g. the grading limits: `LimitedExecute.memory_mb`); nbgrader_config.py only
overrides. nbgrader's `--help-all` lists only nbgrader's own classes (its
`NbGrader.all_configurable_classes` walks nbgrader's modules), so `coursekit-settings`
(`python -m coursekit.settings`) prints the same help for the settings this package's classes add.
"""

import importlib
import inspect
import sys

from traitlets.config import Configurable

MODULES = ("coursekit.grading.execute", "coursekit.feedback", "coursekit.lms", "coursekit.lti")


def configurable_classes(modules=MODULES):
    """The classes defined in these modules that have settings (config=True traits)."""
    found = []
    for name in modules:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, Configurable) and cls.__module__.startswith(name)
                    and cls.class_own_traits(config=True)):
                found.append(cls)
    return found


def main(argv=None):
    for cls in configurable_classes():
        print(f"{cls.__name__} ({cls.__module__}) options\n" + "-" * 40)
        for trait in cls.class_own_traits(config=True).values():
            print(cls.class_get_trait_help(trait))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
