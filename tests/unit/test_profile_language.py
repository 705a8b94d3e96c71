"""Language detection for profiles that do not say their language."""
from __future__ import annotations

from matcher.text import detect_language


def test_korean_text_with_english_acronyms_is_korean():
    assert detect_language("AI 기반 MES 구축 및 ERP 연동") == "ko"


def test_english_text_with_a_korean_company_name_is_english():
    assert detect_language("Hanbit Precision (한빛) machines battery cell cases for EV makers") == "en"


def test_text_without_letters_defaults_to_korean():
    assert detect_language("2024", None, "") == "ko"


def test_all_given_texts_count_together():
    assert detect_language("VisionAI", "딥러닝 기반 외관 불량 검사 시스템 구축") == "ko"
