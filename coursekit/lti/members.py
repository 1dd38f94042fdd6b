"""The LMS's members of a course, from Names and Roles (or one launch), checked and sorted by role.

Every field comes from the LMS and is untrusted: only strings are kept, each at most 255 characters
with control characters removed; a member without a user id is left out and counted.  A learner is
a member with a learner role and no staff role (pylti1p3's role readers: context roles first, as
Canvas also sends institution roles); instructors, teaching assistants, designers, administrators
and mentors are staff, listed and never made students.  Members who are not Active (Inactive,
Deleted) are listed and left alone.
"""

import dataclasses
import re

from pylti1p3.roles import DesignerRole, ObserverRole, StaffRole, StudentRole, TeacherRole, TeachingAssistantRole

from .transport import same_origin

ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
MAX_TEXT = 255
MAX_ROLES = 50
MAX_PAGES = 1000  # a Names and Roles answer that pages for ever stops here
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def text(value):
    return CONTROL.sub("", value).strip()[:MAX_TEXT] if isinstance(value, str) else ""


@dataclasses.dataclass(frozen=True)
class Member:
    sub: str  # the LTI user id: the same in launches and in Names and Roles
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    sourcedid: str = ""  # lis_person_sourcedid (an SIS id), when the LMS shares it
    roles: tuple = ()
    status: str = "Active"

    @property
    def display(self):
        return self.name or " ".join(filter(None, [self.given_name, self.family_name])) or self.email or self.sub

    def _has(self, *kinds):
        body = {ROLES_CLAIM: list(self.roles)}
        return any(kind(body).check() for kind in kinds)

    @property
    def is_staff(self):
        return self._has(TeacherRole, TeachingAssistantRole, DesignerRole, StaffRole, ObserverRole)

    @property
    def is_learner(self):
        return self._has(StudentRole) and not self.is_staff

    @property
    def role_names(self):
        return ", ".join(role.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for role in self.roles) or "no role"


def member_of(data):
    """A Member from one NRPS member or a launch's claims (a dict), or None when it has no user id."""
    if not isinstance(data, dict):
        return None
    sub = text(data.get("user_id", data.get("sub")))
    if not sub:
        return None
    roles = data.get("roles", data.get(ROLES_CLAIM))
    roles = tuple(text(r) for r in roles[:MAX_ROLES] if isinstance(r, str)) if isinstance(roles, list) else ()
    status = text(data.get("status")) or "Active"
    return Member(sub, text(data.get("name")), text(data.get("given_name")), text(data.get("family_name")),
                  text(data.get("email")), text(data.get("lis_person_sourcedid")), roles, status)


@dataclasses.dataclass
class Members:
    learners: list
    staff: list
    inactive: list
    others: list  # neither learner nor staff (e.g. no role the tool knows)
    malformed: int  # entries without a user id


def sort_members(raw):
    found = Members([], [], [], [], 0)
    seen = set()
    for data in raw:
        member = member_of(data)
        if member is None:
            found.malformed += 1
        elif member.sub in seen:
            continue
        elif member.status != "Active":
            found.inactive.append(member)
        elif member.is_staff:
            found.staff.append(member)
        elif member.is_learner:
            found.learners.append(member)
        else:
            found.others.append(member)
        if member is not None:
            seen.add(member.sub)
    return found


def fetch(nrps, memberships_url):
    """Every member of the context, page after page (pylti1p3's NamesRolesProvisioningService; the next
    page's URL read by coursekit.lti.transport.next_link, on the LMS's origin only)."""
    raw, url = [], memberships_url
    for _ in range(MAX_PAGES):
        page = nrps.get_nrps_data(members_url=url)
        body = page["body"]
        if not isinstance(body, dict) or not isinstance(body.get("members"), list):
            raise ValueError(f"{url} did not answer a Names and Roles membership container")
        raw.extend(body["members"])
        url = page["next_page_url"]
        if not url or not same_origin(url, memberships_url):
            return raw
    raise ValueError(f"Names and Roles at {memberships_url} gave more than {MAX_PAGES} pages")
