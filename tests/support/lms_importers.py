"""Ports of the LMSs' own grade importers: what a grade file reads as, once uploaded."""

import csv
import re

# ---------------------------------------------------------------- Canvas's importer, ported

def canvas_import(path, canvas_ids, existing):
    """lib/gradebook_importer.rb, the rules this export relies on:
    - the first row is the header: "Student", "ID", identity columns up to "Section", then one
      column per assignment "Title (id)";
    - a row whose first cell =~ /Points Possible/ describes the assignments (ignored for an
      existing assignment), a row whose cells are all empty or "Muted" is skipped;
    - a student row is found by its ID; each grade cell that differs from Canvas's grade is a
      change: a blank cell clears the grade ("blank versus existing"), "EX" excuses.
    Returns ({user id: new grade or None or "EX"}, [(user id, cleared existing grade)])."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[:2] == ["Student", "ID"]
    first_assignment = header.index("Section") + 1
    columns = header[first_assignment:]
    assert all(re.fullmatch(r".+?( \(\d+\))?", c) for c in columns), columns  # by id, else by title
    grades, wiped = {}, []
    for row in rows[1:]:
        assert len(row) == len(header)
        if re.search("Points Possible", row[0]) or all(re.fullmatch(r"(?i)(Muted|)", c.strip()) for c in row):
            continue
        assert row[1] in canvas_ids, f"no Canvas user {row[1]}"
        cell = row[first_assignment].strip()
        if cell == "":
            if existing.get(row[1]) is not None:
                wiped.append((row[1], existing[row[1]]))
            grades[row[1]] = None
        else:
            grades[row[1]] = cell if cell == "EX" else float(cell)
    return grades, wiped


# ---------------------------------------------------------------- Moodle's importer, ported

def moodle_import(path, participants, maximum):
    """mod/assign/feedback/offline/importgradeslib.php and locallib.php, the rules this export
    relies on: columns found by their headers "Identifier", "Grade", "Last modified (grade)";
    the participant number is the Identifier without "Participant "; a row is skipped when its
    participant is not in the assignment, its grade is empty, or the grade is above the maximum
    (no error shown); the modified time is a userdate().  Returns ({participant: grade}, skipped)."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert {"Identifier", "Grade", "Last modified (grade)"} <= set(reader.fieldnames)
        rows = list(reader)
    grades, skipped = {}, []
    for row in rows:
        number = row["Identifier"].replace("Participant ", "", 1)
        assert re.fullmatch(r"\w+, \d{1,2} \w+ \d{4}, \d{1,2}:\d\d [AP]M", row["Last modified (grade)"])
        if number not in participants or row["Grade"] == "" or float(row["Grade"]) > maximum:
            skipped.append(row["Identifier"])
            continue
        assert re.fullmatch(r"\d+\.\d\d", row["Grade"])
        grades[participants[number]] = float(row["Grade"])
    return grades, skipped
