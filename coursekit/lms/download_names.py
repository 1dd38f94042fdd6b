"""Each LMS's own naming rules, ported, to read its download back to students and notebooks.

Canvas (lib/content_zipper.rb, ContentZipper#add_submission): every file of a "Download
Submissions" zip is named
    sanitize_file_name([user name, "LATE" if late, id].compact.join("_")) + "_{attachment id}_{display name}"
where the user name is `sanitize_user_name(sortable_name)`: `_(\\d+)_` -> `\\1`, then `downcase`;
`sanitize_file_name` removes everything but [[:word:]] (letters, marks, digits, `_`); the id is
the user id, or `anon_{anonymous id}` with no user name under anonymous grading; in a group
assignment the "user" is the group's representative, named with the group's name.  Text entry
and URL submissions have no attachment: `{called}_text.html`, `{called}_link.html`.  A display
name already taken gets `-1` ... `-7`, then `-{uuid}` (Attachment.make_unique_filename).
Canvas reads such names back (Assignment#infer_comment_context_from_filename) by taking the
all-digit `_` tokens as user id and attachment id; names may contain digit tokens too (a
student number as name, a name ending in `_2`), so here every pair of adjacent digit tokens is
tried against the roster and the name before it must be the student's (or group's) Canvas name.

Moodle (mod/assign/classes/downloader.php, get_student_prefix and
load_submissionplugin_filelist): `clean_filename(str_replace('_', ' ', fullname) . '_' . uniqueid)`
for a student (fullname is "Participant" under blind marking; uniqueid is the per-assignment
participant number of assign_user_mapping), `clean_filename(str_replace('_', ' ', groupname) .
'_' . groupid)` for a team (no `_id` for the "Default group" of students in no group); then
`{prefix}_{subtype}_{type}/{path}` (download as folders, the default) or
`{prefix}_{subtype}_{type}_{filename}`.  clean_filename is clean_param(PARAM_FILE): it removes
control characters and `& < > " ` | ' : \\ /`; format_string first turns a lone `&` of a group
name into `&amp;`.
"""

import os
import re
import unicodedata
import urllib.parse

# ---------------------------------------------------------------- notebooks

# Copy suffixes, newest highest: Canvas renames a re-upload "name-1.ext" ... "name-7.ext", then
# "name-<uuid>.ext"; browsers, operating systems and Moodle's file picker save "name (1).ext".
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
COPY_SUFFIX = re.compile(rf"(?:-(\d+)|\s*\((\d+)\)|-(?P<uuid>{UUID}))$", re.IGNORECASE)
UUID_COPY = 8  # Canvas gives a uuid from the 8th copy on


def notebook_for(filename, notebooks):
    """(notebook, copy number) that an uploaded file name stands for, or (None, 0)."""
    stem, ext = os.path.splitext(urllib.parse.unquote(filename))
    if ext.lower() != ".ipynb":
        return None, 0
    copy = 0
    while match := COPY_SUFFIX.search(stem):
        copy = max(copy, UUID_COPY if match.group("uuid") else int(match.group(1) or match.group(2)))
        stem = stem[:match.start()]
    key = re.sub(r"[\s_+\-]+", "_", stem).strip("_").casefold()
    names = {nb.casefold(): nb for nb in notebooks}
    return names.get(key), copy


# ---------------------------------------------------------------- Canvas

def ruby_word(char):
    """Onigmo's [[:word:]] on Unicode: letters, marks, decimal digits, connector punctuation."""
    category = unicodedata.category(char)
    return category[0] in "LM" or category in ("Nd", "Pc")


def canvas_name(sortable_name):
    """The name part of a Canvas download name (sanitize_user_name, then sanitize_file_name)."""
    name = re.sub(r"_(\d+)_", r"\1", sortable_name).lower()  # Ruby's downcase is Unicode's too
    return "".join(c for c in name if ruby_word(c))


CANVAS_ANONYMOUS = re.compile(r"^(?:(?P<late>LATE)_)?anon_(?P<anon>[A-Za-z0-9]{5})_(?P<rest>.*)$")
CANVAS_NO_FILE = ("text.html", "link.html")  # text entry and URL submissions


class Canvas:
    """What one Canvas download name says, read with the roster (the rules: module docstring)."""

    def __init__(self, name):
        self.name, self.tokens = name, name.split("_")

    def readings(self):
        """Every way to read the name as (name part, late, user id, attachment id, display name)."""
        t = self.tokens
        for i in range(len(t) - 2):
            if t[i].isdigit() and t[i].isascii() and t[i + 1].isdigit() and t[i + 1].isascii():
                prefix = t[:i]
                late = bool(prefix) and prefix[-1] == "LATE"
                yield "_".join(prefix[:-1] if late else prefix), late, t[i], t[i + 1], "_".join(t[i + 2:])

    def no_file(self):
        """(name part, late, user id) of a text entry or URL submission, or None."""
        t = self.tokens
        if len(t) >= 2 and t[-1] in CANVAS_NO_FILE and t[-2].isdigit():
            prefix = t[:-2]
            late = bool(prefix) and prefix[-1] == "LATE"
            return "_".join(prefix[:-1] if late else prefix), late, t[-2]
        return None

    def anonymous(self):
        """(anonymous id, late, attachment id or None, display name) of an anonymous download, or None."""
        match = CANVAS_ANONYMOUS.match(self.name)
        if not match:
            return None
        rest = match.group("rest")
        attachment, _, display = rest.partition("_")
        if not attachment.isdigit():
            attachment, display = None, rest
        return match.group("anon"), bool(match.group("late")), attachment, display


# ---------------------------------------------------------------- Moodle

def moodle_clean(text):
    """clean_param(PARAM_FILE): control characters and & < > " ` | ' : \\ / removed."""
    return re.sub(r"[\x00-\x1f\x7f&<>\"`|':\\/]", "", text)


def moodle_name(full_name):
    """The name in a Moodle download folder: underscores become spaces, then clean_filename."""
    return moodle_clean(full_name.replace("_", " "))


def moodle_group_name(group):
    """A team folder's name part: format_string escapes a lone '&', then as moodle_name."""
    return moodle_name(re.sub(r"&(?![a-zA-Z0-9#]{1,8};)", "&amp;", group))


MOODLE_PLUGIN = re.compile(r"^(?P<prefix>.*)_assignsubmission_(?P<type>[a-z]+)(?:_(?P<filename>.*))?$")
MOODLE_DEFAULT_TEAM = "Default group"  # get_string('defaultteam', 'mod_assign'), in English


def moodle_prefix(prefix):
    """(name part, number or None) of a Moodle prefix `name_number` (a team in no group: no number)."""
    name, _, number = prefix.rpartition("_")
    if name and number.isdigit() and number.isascii():
        return name, number
    return prefix, None
