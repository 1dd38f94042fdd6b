"""`coursekit-lti roster` (and the instructor page's button): the LMS course's members into the gradebook.

Names and Roles gives the members (coursekit/lti/members.py); learners become nbgrader students with
their student id chosen once and stored (coursekit/lti/enrol.py); staff are listed, never enrolled.
"""

from .enrol import Enrolment, csv_roster, enrol
from .members import Members, fetch, sort_members
from .platform import Platform
from .store import Context, Store


class RosterError(Exception):
    """The context has no Names and Roles service."""


def import_roster(platform: Platform, store: Store, context: Context, course, db_url):
    """(Members, Enrolment) of the context's members."""
    if not context.memberships_url:
        raise RosterError("the LMS did not grant Names and Roles for this course (no memberships URL in the "
                          "instructor's launch): enable the tool's Names and Roles service in the LMS, then "
                          "launch it again as instructor")
    roster = csv_roster(course)  # before the LMS is asked: a broken CSV roster stops the import
    members = sort_members(fetch(platform.nrps(context), context.memberships_url))
    return members, enrol(store, context.issuer, members.learners, roster, db_url)


def summary(members: Members, done: Enrolment):
    """The lines the roster import prints (and the instructor page shows)."""
    lines = [f"Learners: {len(members.learners)} ({len(done.added)} new, {len(done.known)} known before)"]
    lines += [f"  new  {student:<20} {member.display} <{member.email}> (by {how})"
              for member, student, how in done.added]
    for member, why in done.refused:
        lines.append(f"  NOT ENROLLED {member.display} <{member.email}>: {why}")
    for member, student, other in done.disagreements:
        lines.append(f"  CHECK {member.display}: enrolled as {student}, the CSV roster says {other}")
    if members.staff:
        lines.append(f"Staff, not students ({len(members.staff)}): "
                     + "; ".join(f"{m.display} ({m.role_names})" for m in members.staff))
    if members.inactive:
        lines.append(f"Not active in the LMS, left alone ({len(members.inactive)}): "
                     + "; ".join(f"{m.display} ({m.status})" for m in members.inactive))
    if members.others:
        lines.append(f"Neither learner nor staff, left out ({len(members.others)}): "
                     + "; ".join(f"{m.display} ({m.role_names})" for m in members.others))
    if members.malformed:
        lines.append(f"Members without a user id, left out: {members.malformed}")
    return lines
