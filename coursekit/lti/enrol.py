"""LMS learners into the gradebook as nbgrader students, each LMS user tied to one student id for good.

A learner's student id is chosen once, then read from the store (lti_user), never chosen again:
1. the CSV roster's (coursekit/lms/roster.py, c.LmsRoster.path) when it has the learner: by email (or
   moodle_email), else by SIS id (lis_person_sourcedid against canvas_sis_user_id); rows of two
   students matching is a conflict, reported, and the learner is left out;
2. else the gradebook student with that email, when no other LMS user has them;
3. else a new id: the email's local part (lower case; letters, digits, `.`, `_`, `-`), or `lti-` and
   a digest of the user id when there is no email; an id someone else has gets -2, -3, ...
An id that another LMS user has already is never given again (a unique constraint in the store):
the learner is reported instead.  Where the CSV roster names the student too, it must agree: a
mapped learner whose email the CSV roster gives to another student id is reported.

The gradebook gets the names and email, and the LTI user id (sub) as lms_user_id unless the student
has one already: the CSV roster's lms_user_id is the Canvas user id, which the Canvas grade file
needs, so it is kept (the sub stays in the store).
"""

import dataclasses
import hashlib
import re

from nbgrader.api import Gradebook

from ..course import config_of
from ..lms.roster import LmsRoster, read_roster
from .members import Member
from .store import DuplicateStudent, Store

ID_CHARACTERS = re.compile(r"[^a-z0-9._-]+")


@dataclasses.dataclass
class Enrolment:
    added: list = dataclasses.field(default_factory=list)  # (Member, student id, how chosen)
    known: list = dataclasses.field(default_factory=list)  # (Member, student id): mapped before
    refused: list = dataclasses.field(default_factory=list)  # (Member, why)
    disagreements: list = dataclasses.field(default_factory=list)  # (Member, student id, the CSV's id)

    @property
    def students(self):
        return {member.sub: student for member, student, *_ in self.added + self.known}


def csv_roster(course):
    """The CSV roster of coursekit/lms when the course has one (a broken one raises RosterError)."""
    path = LmsRoster(config=config_of(course)).roster_path(course)
    return read_roster(path) if path.is_file() else None


def csv_matches(roster, member):
    """The roster students this member is (by email, else SIS id): a set of student ids."""
    if roster is None:
        return set()
    email = member.email.casefold()
    by_email = {s.student_id for s in roster.students if email and email in
                {s.email.casefold(), s.moodle_email.casefold()} - {""}}
    if by_email:
        return by_email
    return {s.student_id for s in roster.students if member.sourcedid and s.canvas_sis_user_id == member.sourcedid}


def new_id(member, taken):
    local = member.email.split("@", 1)[0].lower() if member.email else ""
    base = ID_CHARACTERS.sub("-", local).strip(".-_")[:40]
    if not base:
        base = "lti-" + hashlib.sha256(member.sub.encode()).hexdigest()[:10]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def choose(member, roster, gradebook_emails, mapped, taken):
    """(student id, how) for a learner not mapped yet, or (None, why not)."""
    matches = csv_matches(roster, member)
    if len(matches) > 1:
        return None, f"the CSV roster has {len(matches)} students for them ({', '.join(sorted(matches))})"
    if matches:
        (student,) = matches
        if student in mapped:
            return None, f"the CSV roster says {student}, whom another LMS user has already"
        return student, "the CSV roster"
    email = member.email.casefold()
    same_email = sorted(gradebook_emails.get(email, ())) if email else []
    if len(same_email) == 1 and same_email[0] not in mapped:
        return same_email[0], "the gradebook student with this email"
    if len(same_email) > 1:
        return None, f"the gradebook has {len(same_email)} students with this email ({', '.join(same_email)})"
    return new_id(member, taken), "a new id"


def enrol(store: Store, issuer, learners, roster, db_url):
    """Map each learner (a Member) to a student id and create or update the student in the gradebook."""
    done = Enrolment()
    mapped = store.users()  # every issuer: a student id belongs to one LMS user of any platform
    with Gradebook(db_url) as gb:
        students = {s.id: s for s in gb.students}
        emails = {}
        for s in students.values():
            if s.email:
                emails.setdefault(s.email.casefold(), set()).add(s.id)
        for member in learners:
            student = store.student_of(issuer, member.sub)
            if student is not None:
                done.known.append((member, student))
                others = csv_matches(roster, member) - {student}
                if others:
                    done.disagreements.append((member, student, ", ".join(sorted(others))))
            else:
                student, how = choose(member, roster, emails, mapped, set(students) | set(mapped))
                if student is None:
                    done.refused.append((member, how))
                    continue
                try:
                    store.map_user(issuer, member.sub, student, member.email, member.display, how)
                except DuplicateStudent:
                    done.refused.append((member, f"{student} was just given to another LMS user"))
                    continue
                mapped[student] = (issuer, member.sub)
                done.added.append((member, student, how))
            existing = students.get(student)
            values = {"first_name": member.given_name or None, "last_name": member.family_name or None,
                      "email": member.email or None}
            values = {k: v for k, v in values.items() if v}
            if existing is None or not existing.lms_user_id:
                values["lms_user_id"] = member.sub
            if existing is None or any(getattr(existing, k) != v for k, v in values.items()):
                students[student] = gb.update_or_create_student(student, **values)  # one commit each
    return done


def learner_of_launch(store: Store, issuer, member: Member, course, db_url):
    """The student id of a learner who launched, enrolled as the roster import would; None when refused
    (the Enrolment says why)."""
    done = enrol(store, issuer, [member], csv_roster(course), db_url)
    return done.students.get(member.sub), done
