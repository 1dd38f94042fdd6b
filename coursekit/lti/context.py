"""Which recorded course context a command works on.

A course directory is one course; an instructor's launch records its LMS context (store.Context).
With one context recorded for the configured registration, commands use it; with several (a course
copied into a new term, two sections), they must be told which (--context, the LMS's context id),
rather than guess where grades go.
"""

from .config import LtiTool
from .store import Store


class ContextError(Exception):
    """No context to work on, or more than one (the message says what to do)."""


def choose(store: Store, tool: LtiTool, wanted=None):
    mine = [c for c in store.contexts() if c.issuer == tool.issuer and c.client_id == tool.client_id]
    if wanted:
        mine = [c for c in mine if wanted in (c.context_id, str(c.id))]
        if not mine:
            raise ContextError(f"no course context {wanted!r} was recorded (`coursekit-lti status` lists them)")
    if not mine:
        raise ContextError("no course context is recorded yet: launch the tool once as instructor from the course "
                           "in the LMS (it records the course, its members' URL and the assignment's line item)")
    if len(mine) > 1:
        listing = "; ".join(f"{c.context_id} ({c.title})" for c in mine)
        raise ContextError(f"{len(mine)} course contexts are recorded ({listing}): choose one with --context")
    return mine[0]
