"""SECURITY-REFERENCE C3: exported cells that would run as spreadsheet formulas become text."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from serval.core.exports import FORMULA_TRIGGERS, csv_response, safe_cell


def test_formula_triggers_are_quoted():
    for payload in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(payload).startswith("'")


def test_plain_values_pass_through():
    assert safe_cell("Mail is down") == "Mail is down"
    assert safe_cell(None) == ""
    assert safe_cell(3) == "3"
    assert safe_cell(True) == "yes"
    assert safe_cell(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)).startswith("2026-01-02T03:04:05")


@given(st.text(max_size=50))
def test_no_cell_starts_with_a_formula_trigger(text):
    assert not safe_cell(text).startswith(FORMULA_TRIGGERS)


def test_csv_response_streams_escaped_rows_as_a_download():
    response = csv_response(filename="x.csv", header=["title"], rows=[["=1+1"], ["ok"]])
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines() == ["title", "'=1+1", "ok"]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"


@given(st.text(max_size=50))
def test_no_xlsx_text_cell_starts_with_a_formula_trigger_or_holds_xml_control_characters(text):
    from serval.core.exports import xlsx_value

    value = xlsx_value(text)
    assert not value.startswith(FORMULA_TRIGGERS)
    assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value)


def test_a_control_character_in_front_of_a_formula_does_not_hide_it():
    from serval.core.exports import xlsx_value

    assert xlsx_value("\x01=1+1") == "'=1+1"
    assert xlsx_value("\x01@") == "'@"


def test_xlsx_response_writes_text_never_formulas_and_keeps_numbers_and_dates():
    from datetime import date

    from serval.core.exports import xlsx_response
    from tests.xlsx import read_workbook

    response = xlsx_response(
        filename="x.xlsx",
        header=["title", "n", "day"],
        rows=[["=1+1", 3, date(2026, 1, 2)], ["\rCR", 2.5, None], ["\tTAB\x01", None, None]],
    )
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    rows = read_workbook(response.content)
    assert rows[1][0] == "'=1+1" and rows[1][1] == 3 and rows[1][2].date() == date(2026, 1, 2)
    assert rows[2][0] in ("'\rCR", "'\nCR") and rows[3][0] == "'\tTAB"  # XML reads CR as LF
