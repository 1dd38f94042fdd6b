"""One cell's source to an `ast` tree, through IPython's transform when it is not plain Python."""

import ast
import functools
import re
import warnings

from IPython.core.inputtransformer2 import TransformerManager

_TRANSFORMER = TransformerManager()


def parse(source):
    """(tree, line offset) or the reason the source does not parse (see _parse_uncached)."""
    # Students share many small cells (untouched stubs, the setup cell, common answers): parse
    # those once.  Only small ones: a tree takes about 150 times its source's size in memory.
    return _parse_small(source) if len(source) < 2000 else _parse_uncached(source)


def _parse_uncached(source):
    """(tree, line offset) or the reason the source does not parse.

    Plain Python is parsed as is; otherwise IPython's transform runs first.  It drops leading
    blank lines, so the offset maps its line numbers back to the source's.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for "\d" in student strings is not ours to print
        try:
            return ast.parse(source), 0
        except (SyntaxError, ValueError):
            pass
        except (RecursionError, MemoryError) as error:  # too deeply nested for Python itself
            return f"{type(error).__name__}: {error}"[:100]
        try:
            text = _TRANSFORMER.transform_cell(source)
        except Exception:  # noqa: BLE001 - IPython gave up: let ast report the error on the raw text
            text = source
        lines = split_lines(source)
        offset = next((i for i, line in enumerate(lines) if line.strip()), 0)
        try:
            return ast.parse(text), offset
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            return f"{type(error).__name__}: {getattr(error, 'msg', error)}"[:100]


_parse_small = functools.lru_cache(maxsize=256)(_parse_uncached)  # trees are never modified


def split_lines(source):
    return re.split(r"\r\n?|\n", source)


def trim(text, width=100):
    text = text.strip()
    return text if len(text) <= width else text[:width - 3] + "..."
