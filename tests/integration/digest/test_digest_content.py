"""What each subscriber reads, in which language, and what never appears in a mail."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from email import message_from_bytes, policy

from sqlalchemy import update

from models import Match
from services.digest import collect_digest, render_digest, send_weekly_digest, week_start
from services.mailer import FileOutboxMailer


def send_to_outbox(session, settings, week):  # noqa: ANN001, ANN201
    return send_weekly_digest(session, FileOutboxMailer(settings.outbox_dir), settings, week=week)


def read_outbox(settings) -> dict[str, object]:  # noqa: ANN001
    """Every .eml in the outbox, parsed, by recipient."""
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in settings.outbox_dir.glob("*.eml")]
    return {str(m["To"]): m for m in mails}


def bodies(mail) -> tuple[str, str]:  # noqa: ANN001
    """The decoded plain-text and HTML parts."""
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def next_week(week: str) -> str:
    return (week_start(week) + timedelta(days=7)).strftime("%G-W%V")


def covered_days(week: str) -> tuple[date, date]:
    """The Monday-to-Sunday before `week`: what its digest reports."""
    monday = week_start(week).date() - timedelta(days=7)
    return monday, monday + timedelta(days=6)


def test_the_file_outbox_holds_one_eml_per_message_and_no_temp_files(session, settings, world):
    summary = send_to_outbox(session, settings, world.week)
    send_to_outbox(session, settings, world.week)

    files = sorted(p.name for p in settings.outbox_dir.iterdir())
    assert summary.line() == "sent 5, skipped 2, failed 0"
    assert len(files) == 5
    assert all(name.startswith(f"digest-{world.week}-") and name.endswith("@dxmatch.eml") for name in files)
    assert set(read_outbox(settings)) == world.eligible


def test_a_korean_member_reads_korean_partners_reasons_introductions_and_links(session, settings, world):
    send_to_outbox(session, settings, world.week)
    mail = read_outbox(settings)[world.users["kim"].email]
    text, html = bodies(mail)

    first, last = covered_days(world.week)
    days = f"{first.month}월 {first.day}일–" + (f"{last.day}일" if first.month == last.month else f"{last.month}월 {last.day}일")
    assert mail["Subject"].startswith(f"[dxmatch] {days} 매칭 소식 · ")
    assert world.week not in mail["Subject"]
    assert mail["Content-Language"] == "ko"
    for body in (text, html):
        assert "김민수님, 안녕하세요." in body
        assert "비전AI랩" in body and "Predictive Works" in body
        assert "외관 불량 자동 검출 → 딥러닝 기반 외관 검사" in body
        assert f"https://dxmatch.test/matches/{world.matches['m1s1'].id}" in body
        assert "소개 진행 상황" in body
    assert "우리 회사: 수락 / 상대 기업: 응답 대기" in text
    assert "Hello" not in text


def test_an_english_member_reads_english(session, settings, world):
    send_to_outbox(session, settings, world.week)
    mail = read_outbox(settings)[world.users["jane"].email]
    text, html = bodies(mail)

    first, last = covered_days(world.week)
    days = (f"{first.day}–{last.day} {last:%B}" if first.month == last.month
            else f"{first.day} {first:%B}–{last.day} {last:%B}")
    assert mail["Subject"].startswith(f"[dxmatch] Matches for {days} · ")
    for body in (text, html):
        assert "Hello Jane Doe," in body
        assert "New or improved partner proposals" in body
        assert "데이터팩토리" in body  # the partner's name stays as the partner wrote it
        assert "Cold-chain temperature monitoring → IoT 온도 로깅" in body
    assert "안녕하세요" not in text


def test_a_supplier_member_sees_the_manufacturer_as_partner_without_its_secrets(session, settings, world):
    send_to_outbox(session, settings, world.week)
    text, html = bodies(read_outbox(settings)[world.users["lee"].email])

    assert "오창정밀" in text and "오창정밀" in html
    assert "우리 회사: 응답 대기 / 상대 기업: 수락" in text


def test_a_coordinator_reads_best_pairs_pipeline_moves_and_unmet_needs(session, settings, world):
    send_to_outbox(session, settings, world.week)
    text, html = bodies(read_outbox(settings)[world.users["alex"].email])

    assert "New best pairs in the hub" in text
    assert "오창정밀 ↔ 비전AI랩" in text
    assert "Pipeline changes" in text and "proposed → introduced" in text
    unmet = text.split("Top unmet needs", 1)[1]
    assert "생산 일정 최적화" in unmet  # no supplier at all: 0%
    assert "Batch record digitisation" in unmet  # best 21%
    assert "외관 불량 자동 검출" not in unmet  # answered at 91%
    assert unmet.index("생산 일정 최적화") < unmet.index("Batch record digitisation")
    assert "Top unmet needs" in html


def test_a_korean_coordinator_reads_korean_section_titles(session, settings, world):
    send_to_outbox(session, settings, world.week)
    text, html = bodies(read_outbox(settings)[world.users["park"].email])

    for body in (text, html):
        assert "거점의 새로운 우수 매칭" in body
        assert "파이프라인 변경" in body
        assert "충족되지 않은 주요 수요" in body
    assert "제안됨 → 소개됨" in text  # the same words as the pages


def test_no_mail_in_the_outbox_contains_a_secret(session, settings, world):
    send_to_outbox(session, settings, world.week)

    raw = [p.read_bytes() for p in settings.outbox_dir.glob("*.eml")]
    assert len(raw) == 5
    for data in raw:
        mail = message_from_bytes(data, policy=policy.default)
        decoded = "".join(bodies(mail)) + str(mail["Subject"])
        for secret in world.secrets:
            assert secret not in decoded and secret.encode() not in data


def test_the_next_digest_shows_only_what_changed_since_the_last_one(session, settings, world):
    send_to_outbox(session, settings, world.week)
    later = next_week(world.week)
    improved = world.matches["m1s2"]
    old_score = improved.score
    session.execute(
        update(Match).where(Match.id == improved.id).values(
            previous_score=old_score, score=0.93, improved_at=week_start(world.week) + timedelta(days=2))
    )
    moved_only = world.matches["m1s1"]  # a pipeline move or an equal score is not an improvement
    session.execute(update(Match).where(Match.id == moved_only.id).values(
        status="meeting", updated_at=week_start(world.week) + timedelta(days=2)))
    session.commit()
    session.expire_all()

    content = collect_digest(session, world.users["kim"], later, week_start(world.week), settings.base_url)

    assert [(p.partner_name, p.is_new) for p in content.partners] == [("Predictive Works", False)]
    assert content.partners[0].score == 0.93
    assert content.partners[0].previous_score == old_score == 0.72


def test_an_improved_partner_shows_its_old_and_new_fit_in_both_languages(session, settings, world):
    send_to_outbox(session, settings, world.week)
    improved = world.matches["m1s2"]
    old_score = improved.score
    session.execute(update(Match).where(Match.id == improved.id).values(
        previous_score=old_score, score=0.93, improved_at=week_start(world.week) + timedelta(days=2)))
    session.commit()
    session.expire_all()

    for language, badge, was in (("ko", "적합도 상승", "이전"), ("en", "Improved", "was")):
        content = collect_digest(session, world.users["kim"], next_week(world.week), week_start(world.week),
                                 settings.base_url)
        content = dataclasses.replace(content, language=language)
        rendered = render_digest(content, "http://example.test/unsubscribe")
        for body in (rendered.html, rendered.text):
            assert badge in body and was in body and "93%" in body and f"{round(old_score * 100)}%" in body


def test_an_empty_digest_is_not_sent(session, settings, world):
    send_to_outbox(session, settings, world.week)

    summary = send_to_outbox(session, settings, next_week(world.week))

    assert sorted(summary.skipped["nothing new since the last digest"]) == sorted([world.users["jane"].email])
    assert len(summary.sent) == 4  # open introductions and unmet needs are still news to the others


def test_a_dry_run_sends_and_records_nothing(session, settings, world):
    summary = send_weekly_digest(session, FileOutboxMailer(settings.outbox_dir), settings, week=world.week, dry_run=True)

    assert sorted(r for r, _ in summary.would_send) == sorted(world.eligible)
    assert not settings.outbox_dir.exists()
    assert send_to_outbox(session, settings, world.week).line() == "sent 5, skipped 2, failed 0"


def test_a_partner_whose_profile_is_not_active_is_not_proposed(session, settings, world):
    world.companies["s2"].status = "pending"
    session.commit()

    content = collect_digest(session, world.users["kim"], world.week, week_start(world.week) - timedelta(days=7),
                             settings.base_url)

    assert [p.partner_name for p in content.partners] == ["비전AI랩"]
