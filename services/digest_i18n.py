"""Korean and English strings of the weekly digest mail.

The digest is rendered by a cron job, outside any Flask request, so it cannot use
Flask-Babel's request locale; these strings live next to the templates instead, one
entry per message with both languages side by side so neither can be forgotten.
Dates and percentages are formatted with Babel for the subscriber's locale.
"""
from __future__ import annotations

from datetime import date

from babel.dates import format_date

LANGUAGES: tuple[str, ...] = ("ko", "en")

STRINGS: dict[str, dict[str, str]] = {
    "subject": {
        "ko": "[dxmatch] 주간 매칭 소식 {week}",
        "en": "[dxmatch] Your weekly matching digest {week}",
    },
    "subject_partners": {
        "ko": "[dxmatch] 주간 매칭 소식 {week} · 새로 제안되거나 적합도가 오른 파트너 {count}곳",
        "en": "[dxmatch] Weekly digest {week} · {count} new or improved partner proposals",
    },
    "subject_pairs": {
        "ko": "[dxmatch] 주간 허브 소식 {week} · 새로운 우수 매칭 {count}건",
        "en": "[dxmatch] Weekly hub digest {week} · {count} new best pairs",
    },
    "preheader": {
        "ko": "{start} – {end} 동안의 변경 사항입니다.",
        "en": "What changed between {start} and {end}.",
    },
    "title": {"ko": "주간 매칭 소식", "en": "Weekly matching digest"},
    "greeting": {"ko": "{name}님, 안녕하세요.", "en": "Hello {name},"},
    "intro_member": {
        "ko": "{company}에 대한 지난주 변경 사항을 정리했습니다.",
        "en": "Here is what changed for {company} last week.",
    },
    "intro_coordinator": {
        "ko": "{hub} 허브의 지난주 변경 사항을 정리했습니다.",
        "en": "Here is what changed in the {hub} hub last week.",
    },
    "period": {"ko": "기간", "en": "Period"},
    "section_partners": {"ko": "새로 제안되거나 적합도가 오른 파트너", "en": "New or improved partner proposals"},
    "section_partners_empty": {
        "ko": "이번 주에는 새로 제안된 파트너가 없습니다.",
        "en": "No new partner proposals this week.",
    },
    "section_introductions": {"ko": "소개 진행 상황", "en": "Your introductions"},
    "section_best_pairs": {"ko": "허브의 새로운 우수 매칭", "en": "New best pairs in the hub"},
    "section_pipeline": {"ko": "파이프라인 변경", "en": "Pipeline changes"},
    "section_unmet": {"ko": "충족되지 않은 주요 수요", "en": "Top unmet needs"},
    "section_unmet_hint": {
        "ko": "가장 잘 맞는 공급기업의 적합도가 낮은 수요입니다. 공급기업 발굴이 필요합니다.",
        "en": "Needs whose best supplier fit is low: worth recruiting suppliers for.",
    },
    "badge_new": {"ko": "신규", "en": "New"},
    "badge_improved": {"ko": "적합도 상승", "en": "Improved"},
    "was": {"ko": "이전", "en": "was"},
    "score": {"ko": "적합도", "en": "Fit"},
    "best_fit": {"ko": "최고 적합도", "en": "Best fit"},
    "reason": {"ko": "추천 이유", "en": "Why"},
    "view_match": {"ko": "매칭 보기", "en": "View match"},
    "no_reason": {"ko": "프로필 전반의 유사도", "en": "Overall profile similarity"},
    "no_partner_yet": {"ko": "제안된 공급기업 없음", "en": "no supplier proposed yet"},
    "you": {"ko": "우리 회사", "en": "You"},
    "partner": {"ko": "상대 기업", "en": "Partner"},
    "intro_both_accepted": {
        "ko": "양측 모두 수락했습니다. 연락처는 매칭 페이지에서 확인하세요.",
        "en": "Both sides accepted. Contact details are on the match page.",
    },
    "response_pending": {"ko": "응답 대기", "en": "pending"},
    "response_accepted": {"ko": "수락", "en": "accepted"},
    "response_declined": {"ko": "거절", "en": "declined"},
    "status_proposed": {"ko": "제안", "en": "proposed"},
    "status_introduced": {"ko": "소개", "en": "introduced"},
    "status_meeting": {"ko": "미팅", "en": "meeting"},
    "status_contract": {"ko": "계약", "en": "contract"},
    "status_declined": {"ko": "중단", "en": "declined"},
    "status_none": {"ko": "신규", "en": "new"},
    "footer_why": {
        "ko": "dxmatch 주간 소식을 구독하셨기 때문에 이 메일을 받으셨습니다.",
        "en": "You receive this mail because you subscribed to the dxmatch weekly digest.",
    },
    "unsubscribe": {"ko": "수신 거부 (한 번 클릭)", "en": "Unsubscribe (one click)"},
    "footer_confidential": {
        "ko": "이 메일에는 비공개 정보나 상대 기업의 연락처가 포함되지 않습니다.",
        "en": "This mail never contains confidential notes or the other side's contact details.",
    },
}


def t(language: str, key: str, **values: object) -> str:
    """The string `key` in `language` (English when the language is unknown), formatted with values."""
    entry = STRINGS[key]
    text = entry.get(language) or entry["en"]
    return text.format(**values) if values else text


def format_day(day: date, language: str) -> str:
    """A date as a reader of that language writes it (2025년 1월 6일 / Jan 6, 2025)."""
    return format_date(day, format="medium", locale="ko_KR" if language == "ko" else "en_US")


def format_score(score: float) -> str:
    """A 0..1 score as a whole percentage; the same in both languages."""
    return f"{round(max(0.0, min(1.0, score)) * 100)}%"
