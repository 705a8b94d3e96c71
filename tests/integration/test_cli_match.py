"""`dxmatch match` and `dxmatch search` on a small imported hub, in both output forms."""
from __future__ import annotations

import json

from click.testing import CliRunner

from dxmatch.cli import main
from tests.integration.test_cli import write_lines
from tests.integration.test_import_export import FORGE, HANBIT, OSONG, VISION


def _load(tmp_path) -> CliRunner:
    runner = CliRunner()
    source = write_lines(tmp_path / "hub.jsonl", [json.dumps(r, ensure_ascii=False) for r in (HANBIT, OSONG, VISION, FORGE)])
    assert runner.invoke(main, ["import", str(source)]).exit_code == 0
    return runner


def test_match_ranks_partners_with_their_explanations(tmp_path, session):
    runner = _load(tmp_path)
    result = runner.invoke(main, ["match", "m-hanbit", "--json"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)["matches"]
    assert matches[0]["partner_id"] == "s-vision"  # certified, and it inspects what Hanbit needs inspected
    need = matches[0]["explanation"]["need_matches"][0]
    assert (need["need"], need["capability"]) == ("셀 케이스 외관 불량 자동 검출", "딥러닝 외관 불량 검사")
    assert "security_certification_met:ISMS-P" in matches[0]["explanation"]["rules"]
    text = runner.invoke(main, ["match", "m-hanbit", "--top", "1"]).stdout
    assert "비전에이아이" in text and "→" in text
    assert runner.invoke(main, ["match", "no-such-company"]).exit_code == 2


def test_search_answers_a_free_text_in_either_language(tmp_path, session):
    runner = _load(tmp_path)
    result = runner.invoke(main, ["search", "vibration predictive maintenance", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert hits[0]["company_id"] == "s-forge" and hits[0]["text"] == "Vibration-based predictive maintenance"
    needs = json.loads(runner.invoke(main, ["search", "생물의약품 저온 유통 온도 관리", "--kind", "manufacturer", "--json"]).stdout)
    assert needs["hits"][0]["company_id"] == "m-osong-bio"  # an English need found by a Korean query
    assert "Data Forge" in runner.invoke(main, ["search", "설비 진동 예지보전", "--top", "1"]).stdout
