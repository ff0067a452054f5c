"""The in-memory spreadsheet of the tests reads back what the workbook adapter reads back
after the same edits, so tests that use it test what the program does on a real file; and
the match job runs on it, with no .xlsx at all."""

from __future__ import annotations

from mentoring.sheet import TabEdits
from sync.workbook import WorkbookSpreadsheet, create_workbook
from tests.conftest import TODAY, mentee, mentor, response_rows
from tests.fakes.memory import MemorySpreadsheet

TABS = {"Responses": [["Email", "Name"], ["ana@m.org", "Ana"], [None, None], ["bo@m.org", "Bo"]]}
EDITS = [
    TabEdits("responses", {(3, 2): "Cy", (5, 1): "=1+1"}),  # found as the adapters find it
    TabEdits("Committee Matches", {(1, 1): "Mentee Email", (2, 1): "ana@m.org"}),
    TabEdits("Responses", {(1, 3): "Note", (2, 3): "kept"}, insert_columns=(2,)),
]


def test_the_same_edits_read_back_the_same_as_from_a_workbook(tmp_path):
    path = tmp_path / "w.xlsx"
    create_workbook(path, TABS)
    workbook, memory = WorkbookSpreadsheet(path), MemorySpreadsheet(TABS)
    for sheet in (workbook, memory):
        sheet.write(EDITS[:2])
        sheet.write(EDITS[2:], later=True)
        sheet.flush()
    names = ["Responses", "Committee Matches"]
    assert memory.read(names) == WorkbookSpreadsheet(path).read(names)
    assert memory.tab_names() == WorkbookSpreadsheet(path).tab_names()


def test_edits_kept_for_later_are_read_and_saved_with_the_flush():
    sheet = MemorySpreadsheet(TABS)
    sheet.write([TabEdits("Responses", {(2, 2): "Ana Silva"})], later=True)
    assert sheet.writes == 0 and sheet.read(["Responses"])["Responses"].rows[0].cells[1] == (
        "Ana Silva"
    )
    sheet.write([])  # nothing to write saves nothing, as in the workbook adapter
    assert sheet.writes == 0
    sheet.flush()
    assert sheet.writes == 1 and sheet.rows("Responses")[0]["Name"] == "Ana Silva"


def test_the_match_job_suggests_a_mentor_for_each_mentee_with_no_file(settings):
    from jobs.match import run_match

    tabs = {}
    people = [
        (settings.mentee_form, [mentee("ana@m.org", subjects="Chemistry", skills="Grant writing")]),
        (settings.mentor_form, [mentor("tom@t.org", subjects="Chemistry", skills="Grant writing")]),
    ]
    for form, who in people:
        tabs[form.tab] = response_rows(list(form.questions.values()), list(form.questions), who)
    sheet = MemorySpreadsheet(tabs)
    report = run_match(sheet, settings, TODAY)
    assert report.stats.cells_changed > 0 and sheet.writes == 1
    rows = sheet.rows(settings.tabs.committee)
    assert [(r["Mentee Email"], r["Suggested Mentor Email"]) for r in rows] == [
        ("ana@m.org", "tom@t.org")
    ]
    again = run_match(sheet, settings, TODAY)
    assert again.stats.cells_changed == 0
