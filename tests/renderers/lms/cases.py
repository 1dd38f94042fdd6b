"""The download-name tables: a roster, and per LMS the file names its own naming code writes
(built by devtools/lms_downloads.py) with the student(s) each must go to, or the report reason."""

from coursekit.lms import collect
from coursekit.lms.roster import Roster, Student
from coursekit.spec import NOTEBOOKS
from devtools.lms_downloads import canvas_text, canvas_unique, canvas_upload, moodle_file, moodle_prefix

NB1, NB2, NB3 = (f"{nb}.ipynb" for nb in NOTEBOOKS[:3])


def S(student_id, first, last, lms_user_id, **more):
    return Student(student_id, first, last, f"{student_id}@example.edu", lms_user_id, **more)


ROSTER = Roster([
    S("ana", "Ana", "Lopez", "1001"),
    S("zoe", "Zoë", "O'Brien", "1002"),                  # apostrophe: Canvas and Moodle drop it
    S("max", "Max", "Müller", "1003"),
    S("num", "", "20240117", "1005"),                   # a student number as the only name
    S("dup", "Dana", "Uppal", "20240117"),              # ... equal to another student's Canvas id
    S("under", "John_2", "Smith", "1006"),              # a name ending in _2
    S("two", "Bo", "Tu", "2"),                          # ... and a student whose Canvas id is 2
    S("ipek", "İpek", "Işık", "1007"),                  # Turkish dotted and dotless i
    S("mj", "Mary_Jane", "Watson", "1008"),             # Moodle turns underscores into spaces
    S("wang", "小明", "王", "1009"),
    S("jess", "Jessie", "Rocket", "1010", group="Team Rocket", group_id="77"),
    S("james", "James", "Rocket", "1011", group="Team Rocket", group_id="77"),
    S("rd", "Rae", "Dee", "1012", group="R&D", group_id="78"),
    S("blue", "Blu", "Bell", "1013", group="Team_Blue", group_id="80"),
    S("sora", "Sora", "Aoki", "1014", canvas_sortable_name="Aoki Sora"),  # Canvas's sortable name set by hand
])
ANONYMOUS_IDS = {"Qx7Lp": "max"}
# Moodle participant numbers of this assignment (its worksheet); 77 is also Team Rocket's group id.
PARTICIPANTS = {"77": "ana", "501": "zoe", "502": "max", "503": "num", "504": "under", "505": "ipek",
                "506": "mj", "507": "wang", "510": "jess", "511": "james", "512": "rd", "513": "blue",
                "514": "dup"}


def who(student_id, **more):
    s = ROSTER.by_student_id[student_id]
    return dict(sortable_name=s.sortable_name, user_id=s.lms_user_id, **more)


def group(name, representative, **more):
    return dict(sortable_name=name, user_id=ROSTER.by_student_id[representative].lms_user_id, **more)


# (name, expected): expected is {student: notebook} when collected, else the report status.
CANVAS = [
    (canvas_upload(NB1, 5001, **who("ana")), {"ana": NOTEBOOKS[0]}),
    (canvas_upload(NB2, 5002, **who("ana", late=True)), {"ana": NOTEBOOKS[1]}),
    (canvas_upload(NB3, 5003, **who("zoe")), {"zoe": NOTEBOOKS[2]}),
    (canvas_upload(NB1, 5004, **who("max")), {"max": NOTEBOOKS[0]}),
    (canvas_upload(NB1, 5005, **who("num")), {"num": NOTEBOOKS[0]}),
    (canvas_upload(NB2, 5006, **who("num", late=True)), {"num": NOTEBOOKS[1]}),
    (canvas_upload(NB1, 5007, **who("dup")), {"dup": NOTEBOOKS[0]}),
    (canvas_upload(NB1, 5008, **who("under")), {"under": NOTEBOOKS[0]}),
    (canvas_upload(NB3, 5009, **who("under", late=True)), {"under": NOTEBOOKS[2]}),
    (canvas_upload(NB2, 5010, **who("two")), {"two": NOTEBOOKS[1]}),
    (canvas_upload(NB1, 5011, **who("ipek")), {"ipek": NOTEBOOKS[0]}),
    (canvas_upload(NB1, 5012, **who("mj")), {"mj": NOTEBOOKS[0]}),
    (canvas_upload(NB1, 5013, **who("wang")), {"wang": NOTEBOOKS[0]}),
    (canvas_upload(NB1, 5014, **who("sora")), {"sora": NOTEBOOKS[0]}),
    (canvas_upload(NB1, 5015, **group("Team Rocket", "jess")), {"jess": NOTEBOOKS[0], "james": NOTEBOOKS[0]}),
    (canvas_upload(NB2, 5016, **group("Team Rocket", "james", late=True)),
     {"jess": NOTEBOOKS[1], "james": NOTEBOOKS[1]}),
    (canvas_upload(NB1, 5017, **group("R&D", "rd")), {"rd": NOTEBOOKS[0]}),
    (canvas_upload(NB1, 5018, **group("Team Rocket", "ana")), collect.NAME_MISMATCH),  # ana is not in it
    (canvas_upload(NB1, 5019, **group("Team Jet", "max")), collect.NAME_MISMATCH),     # no group in the roster
    (canvas_upload(NB1, 5020, anonymous_id="Ab3dE"), collect.ANONYMOUS),
    (canvas_upload(NB2, 5021, anonymous_id="Ab3dE", late=True), collect.ANONYMOUS),
    (canvas_upload(NB3, 5022, anonymous_id="Qx7Lp"), {"max": NOTEBOOKS[2]}),
    (canvas_text(anonymous_id="Ab3dE"), collect.NO_FILE),
    (canvas_text(**who("ana")), collect.NO_FILE),
    (canvas_text("link", **who("zoe", late=True)), collect.NO_FILE),
    (canvas_text(**who("num")), collect.NO_FILE),
    (canvas_text(**group("Team Rocket", "jess")), collect.NO_FILE),
    (canvas_upload(canvas_unique(NB3, 1), 5023, **who("ana")), {"ana": NOTEBOOKS[2]}),
    (canvas_upload(canvas_unique(NB3, 7), 5024, **who("zoe")), {"zoe": NOTEBOOKS[2]}),
    (canvas_upload(canvas_unique(NB2, 8), 5025, **who("max")), {"max": NOTEBOOKS[1]}),
    (canvas_upload("02_matrix_operations (1).ipynb", 5026, **who("mj")), {"mj": NOTEBOOKS[1]}),
    (canvas_upload("03 NumPy Essentials.ipynb", 5027, **who("ipek")), {"ipek": NOTEBOOKS[2]}),
    (canvas_upload("hw_2_3_final.ipynb", 5028, **who("ana")), collect.NOT_NOTEBOOK),
    (canvas_upload("2024_01_17.ipynb", 5029, **who("num")), collect.NOT_NOTEBOOK),
    (canvas_upload("checks.py", 5030, **who("zoe")), collect.NOT_NOTEBOOK),
    (canvas_upload("notes: draft?.txt", 5031, **who("zoe")), collect.NOT_NOTEBOOK),
    (canvas_upload(NB1, 5032, sortable_name="Nobody, Known", user_id="9999"), collect.UNKNOWN),
    (canvas_upload(NB1, 5033, sortable_name="Lopez-Garcia, Ana", user_id="1001"), collect.NAME_MISMATCH),
    (canvas_upload(NB1, 5034, sortable_name="Watson, Mary Jane", user_id="1008"), collect.NAME_MISMATCH),
    ("README.txt", collect.NOT_LMS),
]

# Moodle: (path in the zip, expected).
P = moodle_prefix


def mwho(student_id, **more):
    s = ROSTER.by_student_id[student_id]
    number = next(n for n, sid in PARTICIPANTS.items() if sid == student_id)
    return P(s.full_name, number, **more)


MOODLE = [
    (moodle_file(mwho("ana"), NB1), {"ana": NOTEBOOKS[0]}),
    (moodle_file(mwho("ana"), NB2, filepath="/work/"), {"ana": NOTEBOOKS[1]}),
    (moodle_file(mwho("ana"), NB3, folders=False), {"ana": NOTEBOOKS[2]}),
    (moodle_file(P(group="Team Rocket", group_id="77"), NB1), {"jess": NOTEBOOKS[0], "james": NOTEBOOKS[0]}),
    (moodle_file(P(group="Team Rocket", group_id="77"), NB2, folders=False),
     {"jess": NOTEBOOKS[1], "james": NOTEBOOKS[1]}),
    (moodle_file(P(group="R&D", group_id="78"), NB1), {"rd": NOTEBOOKS[0]}),
    (moodle_file(P(group="Team_Blue", group_id="80"), NB1), {"blue": NOTEBOOKS[0]}),
    (moodle_file(P(group="Team Jet", group_id="79"), NB1), collect.UNKNOWN),
    (moodle_file(P(group="Team Rocket", group_id="81"), NB1), collect.GROUP_WITHOUT_MEMBERS),
    (moodle_file(P(), NB1), collect.GROUP_WITHOUT_MEMBERS),  # team of students in no group
    (moodle_file(mwho("zoe"), NB1), {"zoe": NOTEBOOKS[0]}),
    (moodle_file(mwho("zoe"), NB2, folders=False), {"zoe": NOTEBOOKS[1]}),
    (moodle_file(mwho("max"), NB1), {"max": NOTEBOOKS[0]}),
    (moodle_file(mwho("num"), NB1), {"num": NOTEBOOKS[0]}),
    (moodle_file(mwho("num"), NB3, folders=False), {"num": NOTEBOOKS[2]}),
    (moodle_file(mwho("dup"), NB1), {"dup": NOTEBOOKS[0]}),
    (moodle_file(mwho("under"), NB1), {"under": NOTEBOOKS[0]}),
    (moodle_file(mwho("under"), NB2, folders=False), {"under": NOTEBOOKS[1]}),
    (moodle_file(mwho("ipek"), NB1), {"ipek": NOTEBOOKS[0]}),
    (moodle_file(mwho("mj"), NB1), {"mj": NOTEBOOKS[0]}),
    (moodle_file(mwho("wang"), NB1), {"wang": NOTEBOOKS[0]}),
    (moodle_file(P("Jessie Rocket", "510", blind=True), NB3), {"jess": NOTEBOOKS[2]}),
    (moodle_file(P("Dee Rae", "512"), NB2), {"rd": NOTEBOOKS[1]}),  # fullnamedisplay "lastname firstname"
    (moodle_file(mwho("max"), "02_matrix_operations (1).ipynb"), {"max": NOTEBOOKS[1]}),
    (moodle_file(mwho("max"), "03 numpy essentials.ipynb", folders=False), {"max": NOTEBOOKS[2]}),
    (moodle_file(mwho("ana"), "onlinetext.html", plugin="onlinetext"), collect.NO_FILE),
    (moodle_file(mwho("zoe"), "checks.py"), collect.NOT_NOTEBOOK),
    (moodle_file(mwho("zoe"), "hw_2_3.ipynb", folders=False), collect.NOT_NOTEBOOK),
    (moodle_file(P("Someone Else", "501"), NB1), collect.NAME_MISMATCH),
    (moodle_file(P("Ana Lopez", "1001"), NB1), collect.UNKNOWN),  # the Canvas id is no participant number
    (moodle_file(P("New Student", "999"), NB1), collect.UNKNOWN),
    ("README.txt", collect.NOT_LMS),
]
