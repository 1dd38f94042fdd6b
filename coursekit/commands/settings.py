"""`coursekit-settings`: every setting of this course package, as nbgrader's own `--help-all` lists its own.

Each setting is a traitlets trait defined once, on the class that uses it, with its default and
help text (e.g. the grading limits: `LimitedExecute.memory_mb`); nbgrader_config.py only
overrides. nbgrader's `--help-all` lists only nbgrader's classes (its
`NbGrader.all_configurable_classes` walks nbgrader's modules), so this command walks this package's
modules the same way, and prints the same help for every class here that has a setting.
"""

import argparse
import importlib
import inspect
import pkgutil
import sys

from traitlets.config import Configurable

import coursekit


def configurable_classes(package=coursekit):
    """Every class defined in the package's modules that has settings (own config=True traits), by module."""
    found = {}
    for module_info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Configurable) and cls.__module__ == module.__name__ \
                    and cls.class_own_traits(config=True):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print every setting of this course package (traitlets traits of "
                                                 "its classes, set in nbgrader_config.py), with its default and help.")
    parser.parse_args(argv)
    for cls in configurable_classes():
        print(f"{cls.__name__} ({cls.__module__}) options\n" + "-" * 40)
        for trait in cls.class_own_traits(config=True).values():
            print(cls.class_get_trait_help(trait))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
