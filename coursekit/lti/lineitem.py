"""The assignment's line item (its column in the LMS gradebook): found, or created, once per context.

Looked for in the context's line items by resourceId and label (LtiTool.resource_id, .label); else the
LMS's own line item of the launched link (Canvas and Moodle make one for a graded link); else created
with the assignment's maximum (nbgrader's total points) and the link's resource link id.  A create
whose answer was lost may have created it: the retry looks for it again before creating.  The line
item's URL must be on the LMS's own origin (the access token goes to it); it is stored in the context,
so later pushes ask nothing.
"""

from nbgrader.api import Gradebook, MissingEntry
from pylti1p3.lineitem import LineItem

from ..spec import ASSIGNMENT
from .platform import Platform
from .retry import with_retries
from .store import Context, Store
from .transport import same_origin


class LineItemError(Exception):
    """No line item can be used (the message says why)."""


def assignment_maximum(db_url):
    """nbgrader's total points for the assignment (its grade cells' maxima)."""
    with Gradebook(db_url) as gb:
        try:
            return float(gb.find_assignment(ASSIGNMENT).max_score)
        except MissingEntry:
            raise LineItemError(f"the gradebook has no assignment {ASSIGNMENT} yet: run `nbgrader generate_assignment "
                                f"{ASSIGNMENT}` first") from None


def find_or_create(platform: Platform, context: Context, maximum):
    """The line item to send scores to (pylti1p3's LineItem)."""
    tool, ags = platform.tool, platform.ags(context)
    origin = context.lineitems_url or context.launch_lineitem_url
    if not origin:
        raise LineItemError("the launch granted no Assignment and Grade Services (no line items URL): enable the "
                            "tool's grade services in the LMS, then launch it again as instructor")

    def ours(item):
        return item.get("resourceId") == tool.resource_id and item.get("label") == tool.label

    def attempt():
        if context.lineitems_url and ags.can_read_lineitem():
            found = ags.find_lineitem_satisfying(ours)
            if found is not None:
                return found
        if context.launch_lineitem_url:
            if ags.can_read_lineitem():
                return ags.get_lineitem(context.launch_lineitem_url)
            return LineItem({"id": context.launch_lineitem_url})
        if not (context.lineitems_url and ags.can_create_lineitem()):
            raise LineItemError("the LMS lets the tool neither find nor create line items (scope "
                                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem)")
        new = (LineItem().set_label(tool.label).set_score_maximum(maximum).set_resource_id(tool.resource_id)
               .set_tag(tool.resource_id))
        if context.resource_link_id:
            new.set_resource_link_id(context.resource_link_id)
        return ags.create_lineitem(new)

    found = with_retries(attempt, platform.backoff, platform.sleep)
    url = found.get_id()
    if not isinstance(url, str) or not same_origin(url, origin):
        raise LineItemError(f"the LMS's line item id {url!r} is not a URL of the LMS ({origin})")
    return found


def ensure(platform: Platform, store: Store, context: Context, db_url):
    """The context's line item URL and maximum, looked up (and stored) when not known yet."""
    if context.lineitem_url:
        return context.lineitem_url, context.lineitem_maximum
    found = find_or_create(platform, context, assignment_maximum(db_url))
    maximum = found.get_score_maximum()
    maximum = float(maximum) if isinstance(maximum, (int, float)) else None
    store.set_lineitem(context.id, found.get_id(), maximum)
    context.lineitem_url, context.lineitem_maximum = found.get_id(), maximum
    return context.lineitem_url, maximum
