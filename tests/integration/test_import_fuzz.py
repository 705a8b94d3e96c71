"""Whatever a file holds, the JSONL and CSV readers report row errors; they never raise and never
leave half a company behind (issue #11, findings 1, 5, 11). Bounded Hypothesis runs."""
from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from models import Company
from services.profiles import company_to_record, import_csv, import_jsonl, validate_profile
from services.profile_schema import ALL_FIELDS
from tests.factories import profile_record

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text that has broken things before: NUL, CR, U+2028, zero-width and Hangul fillers, spaces, separators.
NASTY = st.sampled_from(["\x00", "\r", "\n", "\u2028", "\u200b", "\u3164", " ", "|", ",", '"', "\ufeff", "\x1b"])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=6).map("".join)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                   st.floats(allow_nan=True), TEXT, st.sampled_from(["ochang", "osong", "battery", "supplier", "manufacturer"]))
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)


@st.composite
def records(draw) -> dict:
    """A valid profile with some fields replaced, added or removed: mostly near-misses of the format."""
    record = profile_record(draw(st.sampled_from(["manufacturer", "supplier"])))
    record["id"] = draw(st.sampled_from(["r-1", "r-2", "r-3", " r-1", "r-1\u2028"]))
    for _ in range(draw(st.integers(0, 3))):
        record[draw(st.sampled_from(ALL_FIELDS + ("extra", " hub")))] = draw(VALUE)
    return record


def _line(draw_record: dict | str | bytes) -> bytes:
    if isinstance(draw_record, bytes):
        return draw_record.replace(b"\n", b" ")
    if isinstance(draw_record, str):
        return draw_record.replace("\n", " ").encode("utf-8", "surrogatepass")
    return json.dumps(draw_record, ensure_ascii=draw_record.get("language") == "en").encode()


LINES = st.lists(st.one_of(records(), TEXT, st.binary(max_size=30)), max_size=6)


def _every_company_is_whole(session) -> None:
    """Each stored company is a complete valid profile (nothing half written), then the table is emptied."""
    session.expire_all()
    for company in session.scalars(select(Company)):
        validate_profile(company_to_record(company))
    session.execute(delete(Company))
    session.commit()


@FUZZ
@given(lines=LINES)
def test_the_jsonl_reader_reports_rows_and_never_raises(session, lines):
    report = import_jsonl(session, io.BytesIO(b"\n".join(_line(x) for x in lines)), notify=False)
    assert report.loaded + report.rejected <= len(lines)
    assert all(e.line >= 1 and e.field and e.reason for e in report.errors)
    _every_company_is_whole(session)


HEADER = st.lists(st.sampled_from(ALL_FIELDS + (" hub", "id ", "", "bogus")) | TEXT, min_size=1, max_size=8)
ROWS = st.lists(st.lists(TEXT, max_size=8), max_size=5)


@FUZZ
@given(header=HEADER, rows=ROWS, raw=st.one_of(st.none(), st.binary(max_size=60)))
def test_the_csv_reader_reports_rows_and_never_raises(session, header, rows, raw):
    if raw is None:
        out = io.StringIO()
        import csv

        csv.writer(out).writerows([header, *rows])
        content = out.getvalue().encode("utf-8", "surrogatepass")
    else:
        content = raw
    try:
        report = import_csv(session, io.BytesIO(content), notify=False)
    except UnicodeDecodeError:  # the one documented exception: a file that is not UTF-8 at all
        session.rollback()
        return
    assert all(e.line >= 1 and e.field and e.reason for e in report.errors)
    _every_company_is_whole(session)


def test_a_good_csv_row_next_to_a_broken_one_still_loads(session):
    content = "id,kind,name,hub,capabilities\nok-1,supplier,좋은 회사,ochang,MES\n\"broken,supplier\n"
    report = import_csv(session, io.BytesIO(content.encode()), notify=False)
    assert report.loaded == 1 and session.scalar(select(Company.name).where(Company.external_id == "ok-1")) == "좋은 회사"
