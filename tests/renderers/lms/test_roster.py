"""The roster and each Moodle assignment's worksheet: read as written, refused when they would misfile."""

import pytest

from coursekit.lms import RosterError, Student, read_moodle_worksheet, read_roster
from devtools.lms_downloads import write_moodle_worksheet


def write_text(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def test_roster_reads_extra_columns_whitespace_and_excel_bom(tmp_path):
    text = ("student_id, lms_user_id,first_name,last_name,email,canvas_section,group,group_id,excused,notes\n"
            "zoe , 1002,Zoë,\"O'Brien, Jr.\",z@x.org,Lab A,Team Rocket,77,math_numpy; other,anything\n")
    roster = read_roster(write_text(tmp_path / "r.csv", text, encoding="utf-8-sig"))
    (zoe,) = roster.students
    assert zoe == Student("zoe", "Zoë", "O'Brien, Jr.", "z@x.org", "1002", canvas_section="Lab A",
                          group="Team Rocket", group_id="77", excused="math_numpy; other")
    assert zoe.excused_from("math_numpy") and zoe.excused_from("other") and not zoe.excused_from("math")
    assert zoe.sortable_name == "O'Brien, Jr., Zoë" and zoe.full_name == "Zoë O'Brien, Jr."
    assert roster.groups["Team Rocket"] == [zoe] and roster.group_ids == {"77": "Team Rocket"}


HEAD = "student_id,lms_user_id,first_name,last_name,email,group,group_id\n"


@pytest.mark.parametrize("text, problem", [
    ("student_id,lms_user_id,first_name,last_name\n", "lacks the column.*email"),
    (HEAD + "a,1,A,B,a@x,,\nb,1,B,C,b@x,,\n", "lms_user_id repeated: 1"),
    (HEAD + "a,1,A,B,a@x,,\na,2,A,B,a@x,,\n", "student_id repeated: a"),
    (HEAD + ",1,A,B,a@x,,\n", "line 2: student_id is required"),
    (HEAD + "../a,1,A,B,a@x,,\n", "cannot be a folder name"),
    (HEAD + "a,1,A,B,a@x,,7\n", "group_id needs the group's name"),
    (HEAD + "a,1,A,B,a@x,Red,7\nb,2,B,C,b@x,Blue,7\n", "group_id.* 7 given to more than one group"),
])
def test_roster_refuses_what_would_misfile_submissions(tmp_path, text, problem):
    with pytest.raises(RosterError, match=problem):
        read_roster(write_text(tmp_path / "r.csv", text))


def test_moodle_worksheet_maps_participant_numbers_by_email(tmp_path):
    roster = read_roster(write_text(tmp_path / "r.csv", "student_id,first_name,last_name,email,moodle_email\n"
                                    "a,A,B,a@x.org,a@moodle.org\nb,B,C,B@X.org,\n"))
    path = write_moodle_worksheet(tmp_path / "moodle" / "w.csv",
                                  [("11", "A B", "a@moodle.org"), ("12", "B C", "b@x.org"), ("13", "Q R", "q@x")], 20)
    sheet = read_moodle_worksheet(path, roster)
    assert {n: s.student_id for n, s in sheet.by_participant.items()} == {"11": "a", "12": "b"}
    assert sheet.by_student_id == {"a": "11", "b": "12"} and sheet.maximum == 20.0
    assert sheet.unmatched == [("13", "Q R", "q@x")]
    with pytest.raises(RosterError, match="participants per assignment.*Download grading worksheet"):
        read_moodle_worksheet(tmp_path / "missing.csv", roster)
