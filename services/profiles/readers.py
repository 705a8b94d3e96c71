"""The readers of the profile file formats: one per format, each yielding `(line, record, problems)`.

`line` is the number a person finds the row by (a JSONL line; a CSV or Excel row as a spreadsheet
shows it, the header being row 1); `record` is the profile-format dict read from it, None when nothing
could be read; `problems` are (field, reason) pairs found while reading. Blank lines and blank
spreadsheet rows are skipped but still counted. Validation is not a reader's job: the loader
validates every record the same way whatever the format.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from services.profile_schema import BOOL_FIELDS, INT_FIELDS, LIST_FIELDS, whole_number

Source = str | os.PathLike[str] | IO[str] | IO[bytes]
Problems = list[tuple[str, str]]
Row = tuple[int, dict[str, Any] | None, Problems]

CSV_TRUE = frozenset({"true", "예", "y", "yes"})
CSV_FALSE = frozenset({"false", "아니오", "n", "no"})
# Korean Excel saves "CSV" in the Windows code page (CP949, a superset of EUC-KR); anything else
# Excel writes as CSV is UTF-8. The label is what a report shows.
ENCODING_LABELS = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "cp949": "CP949 (EUC-KR)"}
NOT_UTF8_OR_CP949 = "neither UTF-8 nor CP949 (EUC-KR) text"
MAX_XLSX_UNPACKED = 100 * 1024 * 1024  # a workbook that unpacks to more is refused (zip bomb), whatever the upload size
XLSX_TOO_BIG = "the workbook unpacks to more than 100 MB"
_JSON_NAMES = {"list": "an array", "str": "a string", "int": "a number", "float": "a number", "bool": "a boolean"}


# --- JSONL -----------------------------------------------------------------------------------------


def read_jsonl(source: Source) -> Iterator[Row]:
    """One JSON object per line, read as it streams; a line that is not one is reported, not fatal."""
    for number, raw in enumerate(_binary_lines(source), start=1):
        data, problems = _parse_json_line(raw, number)
        if data is not None or problems:
            yield number, data, problems


def _binary_lines(source: Source) -> Iterator[bytes | str]:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            yield from handle
    else:
        yield from source  # type: ignore[misc]


def _pairs_no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"field '{key}' appears twice")
        seen[key] = value
    return seen


def _parse_json_line(raw: bytes | str, number: int) -> tuple[Any, Problems]:
    """One JSONL line → (object or None, problems). None and no problems means a blank line."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [("json", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    else:
        text = raw
    if number == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return None, []
    try:
        data = json.loads(text, object_pairs_hook=_pairs_no_repeats)
    except json.JSONDecodeError as exc:
        return None, [("json", f"invalid JSON: {exc.msg} (column {exc.colno})")]
    except RecursionError:
        return None, [("json", "nested too deeply")]
    except ValueError as exc:
        return None, [("json", str(exc))]
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        return None, [("json", f"a line must hold one JSON object, not {_JSON_NAMES.get(kind, kind)}")]
    return data, []


# --- CSV -------------------------------------------------------------------------------------------


class UnreadableFile(ValueError):
    """The file as a whole cannot be read in its format (not a workbook, unpacks too large); no row was read."""


def read_csv(source: Source) -> Iterator[Row]:
    """A spreadsheet export (UTF-8 with or without BOM, or Korean Excel's CP949), header row first, one record per non-blank row.

    List cells hold items separated by `|` (the contract writes ` | `); booleans are true/false,
    예/아니오 or Y/N; an empty cell means the field is absent. A header that cannot be used is
    reported on row 1 and nothing else is read. A file that is neither UTF-8 nor CP949 raises
    UnicodeDecodeError.
    """
    yield from _table(_csv_rows(_read_text(source)))


def _table(rows: Iterator[tuple[int, list[str] | str]]) -> Iterator[Row]:
    """The records of a sheet's rows (CSV or Excel) under its header row; the header's problems stop the reading."""
    _number, header_cells = next(rows, (1, []))
    if isinstance(header_cells, str):
        yield 1, None, [("-", header_cells)]
        return
    header = [cell.strip() for cell in header_cells]
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        yield 1, None, [(c, "column appears twice in the header") for c in repeated]
        return
    for number, cells in rows:
        if isinstance(cells, str):
            yield number, None, [("-", cells)]
        elif any(cell.strip() for cell in cells):
            yield (number, *_csv_record(header, cells))


def _source_bytes(source: Source) -> bytes | str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).read_bytes()
    return source.read()


def _read_text(source: Source) -> str:
    content = _source_bytes(source)
    if isinstance(content, bytes):
        return content.decode(detect_encoding(content))
    return content.removeprefix("\ufeff")


def detect_encoding(data: bytes) -> str:
    """The codec of a CSV file: "utf-8-sig" (BOM), "utf-8", else "cp949" (Korean Excel's "CSV", covers EUC-KR).

    Raises:
        UnicodeDecodeError: the bytes are neither; its reason says so.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"  # a BOM says UTF-8; a broken file after it is still an error below
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            data.decode("cp949")
        except UnicodeDecodeError:
            raise UnicodeDecodeError("utf-8", data, utf8_error.start, utf8_error.end, NOT_UTF8_OR_CP949) from None
        return "cp949"


def _csv_rows(text: str) -> Iterator[tuple[int, list[str] | str]]:
    """(row number, cells) of a CSV text, header = row 1; a row the csv module refuses comes as (number, reason)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        number += 1
        try:
            yield number, next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            too_long = "field larger than field limit" in str(exc)
            yield number, "a cell is longer than the CSV limit" if too_long else "this row cannot be read as CSV"


def _csv_record(header: list[str], cells: list[str]) -> tuple[dict[str, Any], Problems]:
    """The fields of one spreadsheet row under its header, and what is wrong with its cells."""
    data: dict[str, Any] = {}
    problems: Problems = []
    if len(cells) > len(header):
        problems.append(("-", f"{len(cells)} cells but only {len(header)} columns in the header"))
    for column, cell in zip(header, cells):
        cell = cell.strip()
        if not cell:
            continue
        if not column:
            problems.append(("-", "a cell under a column without a name"))
            continue
        value, problem = _csv_cell(column, cell)
        if problem:
            problems.append((column, problem))
        else:
            data[column] = value
    return data, problems


def _csv_cell(column: str, cell: str) -> tuple[Any, str | None]:
    """A spreadsheet cell → the JSON value of its field, or a reason it cannot be one."""
    if column in LIST_FIELDS:
        return [item.strip() for item in cell.split("|")], None
    if column in BOOL_FIELDS:
        word = cell.lower()
        if word in CSV_TRUE or word in CSV_FALSE:
            return word in CSV_TRUE, None
        return None, f"expected true/false, 예/아니오 or Y/N, not '{cell}'"
    if column in INT_FIELDS:
        number = whole_number(cell)
        if number is not None:
            return number, None
        return None, f"must be a whole number, not '{cell[:50]}'"
    return cell, None


# --- Excel ---------------------------------------------------------------------------------------


def read_xlsx(source: Source) -> Iterator[Row]:
    """The first sheet of an Excel workbook, read exactly like the CSV contract (header = row 1, rows as Excel numbers them).

    Cells are read as the text a CSV export of them would hold (12 not 12.0, TRUE as true, a date as
    YYYY-MM-DD); a formula gives its last computed value. A file that is not an .xlsx workbook raises
    UnreadableFile.
    """
    workbook = _open_workbook(_source_bytes(source))
    try:
        sheet = workbook.worksheets[0]
        rows = ((number, [_cell_text(value) for value in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1))
        yield from _table(rows)
    finally:
        workbook.close()


def _open_workbook(content: bytes | str) -> Any:
    import openpyxl  # imported when a workbook is read: every other command starts without it
    from openpyxl.utils.exceptions import InvalidFileException

    if isinstance(content, str):
        raise UnreadableFile("not an Excel .xlsx workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise UnreadableFile(XLSX_TOO_BIG)
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, EOFError) as exc:
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile("not an Excel .xlsx workbook") from None
    if not workbook.worksheets:
        workbook.close()
        raise UnreadableFile("not an Excel .xlsx workbook")
    return workbook


def _cell_text(value: Any) -> str:
    """An Excel cell as CSV text: whole numbers without ".0", booleans as true/false, dates as ISO days."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# --- which reader ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """A format's reader and what its rows are called in messages (`line 3`, `row 3`)."""

    read: Callable[[Source], Iterator[Row]]
    unit: str


READERS: dict[str, Reader] = {
    "jsonl": Reader(read_jsonl, "line"), "csv": Reader(read_csv, "row"), "xlsx": Reader(read_xlsx, "row"),
}
FORMATS: dict[str, str] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}


def format_of(filename: str | os.PathLike[str]) -> str | None:
    """"jsonl", "csv" or "xlsx" from a file name's extension, None when it is none of them."""
    return FORMATS.get(Path(filename).suffix.lower())
