"""SECURITY-REFERENCE C6 and F1: an XLSX import refuses XML bombs and external entities,
archives that would expand too far or hold too many parts, files over the upload limit, and a
file whose extension contradicts its content — always as a `file` error, nothing parsed."""

from __future__ import annotations

import io
import zipfile

import pytest

from serval.core import imports
from serval.core.errors import ValidationFailed
from tests.xlsx import with_extra_parts, with_part, workbook

COLUMNS = ("name", "hostname")


def _read(data: bytes, filename: str = "f.xlsx") -> list[dict[str, str]]:
    return imports.read_rows(
        data, columns=COLUMNS, required=("name",), required_message="name!", filename=filename
    )


def _refused(data: bytes, filename: str = "f.xlsx") -> str:
    with pytest.raises(ValidationFailed) as info:
        _read(data, filename)
    [error] = info.value.errors
    assert error["field"] == "file"
    return str(error["message"])


GOOD = workbook([["name", "hostname"], ["a", "a.example"]])

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>"""


def test_a_good_workbook_reads():
    assert _read(GOOD) == [{"name": "a", "hostname": "a.example"}]


def test_billion_laughs_and_external_entities_are_refused_by_defusedxml():
    from defusedxml import DefusedXmlException

    for part in (LAUGHS, EXTERNAL):
        with pytest.raises(ValidationFailed) as info:
            _read(with_part(GOOD, "xl/worksheets/sheet1.xml", part))
        assert "not a valid XLSX" in str(info.value.errors[0]["message"])
        causes, error = [], info.value.__cause__
        while error is not None:
            causes.append(error)
            error = error.__cause__ or error.__context__
        assert any(isinstance(e, DefusedXmlException) for e in causes)


def test_an_archive_that_expands_too_far_is_refused_before_parsing():
    bomb = with_extra_parts(GOOD, {"xl/media/zeros.bin": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < imports.MAX_BYTES
    assert "expands too far" in _refused(bomb)


def test_too_many_parts_are_refused():
    many = with_extra_parts(GOOD, {f"xl/x/{i}.xml": b"<x/>" for i in range(250)})
    assert "too many parts" in _refused(many)


def test_files_over_the_limit_and_mislabelled_files_are_refused():
    big = GOOD + b"\0" * imports.MAX_BYTES
    assert "At most 2 MB" in _refused(big)
    assert "not a valid XLSX" in _refused(b"name\na\n", "f.xlsx")
    assert "not UTF-8 CSV" in _refused(GOOD, "f.csv")
    assert ".csv or .xlsx" in _refused(b"name\na\n", "f.exe")
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert "not a valid XLSX" in _refused(broken.getvalue())
