"""`dxmatch import` / `dxmatch export` as a coordinator runs them: bad lines named, good lines kept."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dxmatch.cli import main
from tests.integration.test_import_export import FORGE, HANBIT, OSONG, VISION

MIXED_LINES = [
    json.dumps(HANBIT, ensure_ascii=False),                                      # 1 good
    '{"id": "m-broken", "kind": "manufacturer", "name": ',                       # 2 broken JSON
    json.dumps({k: v for k, v in OSONG.items() if k != "name"}),                 # 3 missing required field
    json.dumps({**OSONG, "id": "m-typo", "nedds": ["x"]}),                       # 4 unknown field
    json.dumps({**OSONG, "id": "m-hub", "hub": "jeju"}),                         # 5 bad hub
    json.dumps({**OSONG, "id": "m-mail", "contact_email": "dx at osong"}),       # 6 bad e-mail
    json.dumps({**OSONG, "id": "m-needs", "needs": [f"need {i}" for i in range(11)]}),  # 7 too many needs
    json.dumps({**OSONG, "id": "m-type", "employees": "many"}),                  # 8 wrong type
    json.dumps(VISION, ensure_ascii=False),                                      # 9 good
    json.dumps({**HANBIT, "name": "한빛 사본"}, ensure_ascii=False),             # 10 repeated id
    json.dumps({**OSONG, "id": "m osong/bad"}),                                  # 11 bad id
    json.dumps({**OSONG, "id": "m-long", "summary": "x" * 201}),                 # 12 over-long text
    json.dumps({**OSONG, "id": "m-kind", "kind": "factory"}),                    # 13 bad kind
    '["m-array", "manufacturer"]',                                              # 14 not an object
    json.dumps(FORGE),                                                           # 15 good
]
EXPECTED_ERRORS = [
    (2, "json"), (3, "name"), (4, "nedds"), (5, "hub"), (6, "contact_email"), (7, "needs"), (8, "employees"),
    (10, "id"), (11, "id"), (12, "summary"), (13, "kind"), (14, "json"),
]
GOOD_IDS = ["m-hanbit", "s-vision", "s-forge"]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def error_lines(stderr: str) -> list[tuple[int, str]]:
    found = []
    for line in stderr.splitlines():
        if line.startswith("line "):
            number, field_, _reason = line.removeprefix("line ").split(": ", 2)
            found.append((int(number), field_))
    return found


@pytest.mark.slow  # runs the real command in subprocesses: ~60 s
def test_import_names_every_bad_line_exits_one_and_export_holds_exactly_the_good_companies(tmp_path, session):
    source = write_lines(tmp_path / "mixed.jsonl", MIXED_LINES)
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source)])
    assert result.exit_code == 1, result.output
    assert error_lines(result.stderr) == EXPECTED_ERRORS
    assert "line 10: id: repeated id 'm-hanbit' (first on line 1)" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "loaded 3, rejected 12"

    exported = tmp_path / "export.jsonl"
    result = runner.invoke(main, ["export", str(exported)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == GOOD_IDS
    assert records == [HANBIT, VISION, FORGE]


def test_import_of_a_clean_file_exits_zero_matches_and_prints_the_summary(tmp_path, session):
    source = write_lines(tmp_path / "clean.jsonl", [json.dumps(OSONG), json.dumps(FORGE)])
    result = CliRunner().invoke(main, ["import", str(source)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.strip().splitlines() == [
        "index rebuilt (v00000001); proposals refreshed for 1 manufacturers", "loaded 2, rejected 0"]


def test_import_of_a_csv_names_rows_and_columns(tmp_path, session):
    source = tmp_path / "hub.csv"
    source.write_text("id,kind,name,hub,capabilities\ns-1,supplier,A Soft,seoul,MES\ns-2,supplier,B Soft,jeju,ERP\n",
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(source)])
    assert result.exit_code == 1
    assert result.stderr.startswith("row 3: hub: unknown hub 'jeju'")


def test_import_of_a_missing_file_exits_two(tmp_path, session):
    result = CliRunner().invoke(main, ["import", str(tmp_path / "nowhere.jsonl")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_import_of_a_spreadsheet_neither_utf8_nor_cp949_exits_two(tmp_path, session):
    source = tmp_path / "hub.csv"
    source.write_bytes("id,kind,name\nm-1,manufacturer,Café\n".encode("latin-1"))
    result = CliRunner().invoke(main, ["import", str(source)])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_import_of_a_file_of_unknown_type_exits_two(tmp_path, session):
    source = tmp_path / "hub.ods"
    source.write_bytes(b"PK\x03\x04")
    result = CliRunner().invoke(main, ["import", str(source)])
    assert result.exit_code == 2
    assert "cannot tell the format" in result.stderr


def test_import_with_an_explicit_format_ignores_the_extension(tmp_path, session):
    source = write_lines(tmp_path / "companies.txt", [json.dumps(OSONG)])
    result = CliRunner().invoke(main, ["import", "--format", "jsonl", str(source)])
    assert result.exit_code == 0, result.output


def test_export_to_a_dash_writes_jsonl_to_standard_output(tmp_path, session):
    runner = CliRunner()
    runner.invoke(main, ["import", str(write_lines(tmp_path / "a.jsonl", [json.dumps(FORGE)]))])
    result = runner.invoke(main, ["export", "-"])
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == [FORGE]
    assert result.stderr.strip() == "exported 1 companies"


def _dxmatch_executable() -> str:
    beside_python = Path(sys.executable).parent / "dxmatch"
    return str(beside_python) if beside_python.exists() else (shutil.which("dxmatch") or "dxmatch")


@pytest.mark.slow  # the installed command in subprocesses: ~70 s
def test_the_installed_dxmatch_command_imports_and_exports(tmp_path, session, settings):
    source = write_lines(tmp_path / "mixed.jsonl", MIXED_LINES)
    env = {**os.environ, "DXMATCH_DATABASE_URL": settings.database_url,
           "DXMATCH_INSTANCE_DIR": str(settings.instance_dir)}
    run = subprocess.run([_dxmatch_executable(), "import", str(source)], env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 1, run.stderr
    assert error_lines(run.stderr) == EXPECTED_ERRORS
    assert run.stdout.strip().endswith("loaded 3, rejected 12")
    exported = tmp_path / "export.jsonl"
    run = subprocess.run([_dxmatch_executable(), "export", str(exported)], env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert [json.loads(line)["id"] for line in exported.read_text(encoding="utf-8").splitlines()] == GOOD_IDS
