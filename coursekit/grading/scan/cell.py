"""One cell's source to its flags: parsed, checked, each finding tied to its line and code."""

from . import checker
from .bindings import Context
from .parse import parse, split_lines, trim
from .rules import MAX_CELL_CHARS, Flag


def parse_cell(source):
    """(tree, line offset), or the one Flag that replaces a scan (too large, does not parse)."""
    if len(source) > MAX_CELL_CHARS:
        return Flag("oversized-cell", f"cell of {len(source):,} characters not scanned "
                                      f"(limit {MAX_CELL_CHARS:,}): review by hand")
    parsed = parse(source)
    if isinstance(parsed, str):
        return Flag("syntax-error", f"cell does not parse ({parsed}): it fails when graded")
    return parsed


def check_cell(source, parsed, ctx):
    """Flags for one cell, given its parse_cell result and the notebook's naming context."""
    if isinstance(parsed, Flag):
        return [parsed]
    tree, offset = parsed
    try:
        found = checker.check(tree, ctx)
    except Exception as error:  # noqa: BLE001 - e.g. RecursionError on absurdly nested code
        return [Flag("scan-error", f"scanner failed ({type(error).__name__}): review by hand")]
    lines, flags = split_lines(source), {}
    for rule, message, line in found:
        line = min(max(line + offset, 1), len(lines))
        flags.setdefault((rule, message, line), Flag(rule, message, line, trim(lines[line - 1])))
    return list(flags.values())


def scan_code(source):
    """Flags for one cell's code, its names resolved through its own imports and the setup cells'."""
    source = source if isinstance(source, str) else ""
    parsed = parse_cell(source)
    return check_cell(source, parsed, Context([] if isinstance(parsed, Flag) else [parsed[0]]))
