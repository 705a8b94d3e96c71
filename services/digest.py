"""The weekly digest: what to tell each subscriber, and sending it exactly once in effect.

Content: a company member reads its new or improved partner proposals (with the one-line
reason) and the state of its introductions; a coordinator reads the hub's new best pairs,
its pipeline moves and its top unmet needs. Nothing confidential ever goes into a mail.

Sending (see `send_weekly_digest`): a DigestOutbox row per (subscription, ISO week) is
committed before the message leaves, moved to `sending` with an attempt count just before
the SMTP conversation and to `sent` right after the server accepted it.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.reference import HUBS
from config.settings import Settings
from matcher.types import Explanation
from models import (Company, DigestOutbox, DigestSubscription, Hub, Introduction, Match, PipelineTransition, User,
                    as_utc, utcnow)
from services import auth
from services.digest_i18n import format_day, format_score, t
from services.errors import ValidationFailed
from services.mailer import Mailer, MailError

log = logging.getLogger(__name__)

KST = timezone(timedelta(hours=9), "KST")
MAX_ATTEMPTS = 3  # deliveries tried per (subscription, week), across runs, before it is reported failed
IN_RUN_RETRIES = 2  # quick extra tries inside one run for a transient SMTP error
UNMET_NEED_THRESHOLD = 0.5  # a need whose best capability score is below this counts as unmet
LIST_LIMIT = 10
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_TOKEN_SALT = "dxmatch.digest.unsubscribe"
TEMPLATE_DIR = Path(__file__).parent / "templates" / "digest"


# --- weeks -----------------------------------------------------------------------------


def current_week(now: datetime | None = None) -> str:
    """The ISO week (YYYY-Www) it is now in Korea, where the hubs are."""
    year, week, _ = (now or utcnow()).astimezone(KST).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> datetime:
    """Monday 00:00 KST of an ISO week, as an aware datetime; rejects malformed weeks."""
    found = _WEEK.match(week or "")
    if not found:
        raise ValidationFailed("week must look like 2025-W02", week=week)
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError as exc:
        raise ValidationFailed(f"no such ISO week: {week}", week=week) from exc
    return datetime(monday.year, monday.month, monday.day, tzinfo=KST)


# --- content ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerItem:
    """A proposed partner of the subscriber's company: public profile data only."""

    match_id: int
    partner_name: str
    partner_summary: str
    hub_name: str
    score: float
    reason: str
    is_new: bool
    url: str
    previous_score: float | None = None  # set when the pair is reported as improved


@dataclass(frozen=True)
class IntroductionItem:
    """Where a double opt-in introduction stands, seen from the subscriber's side."""

    match_id: int
    partner_name: str
    own_response: str
    partner_response: str
    status: str
    both_accepted: bool
    url: str


@dataclass(frozen=True)
class PairItem:
    """A strong new (manufacturer, supplier) pair of a hub."""

    match_id: int
    manufacturer_name: str
    supplier_name: str
    score: float
    reason: str
    is_new: bool
    url: str
    previous_score: float | None = None  # set when the pair is reported as improved


@dataclass(frozen=True)
class TransitionItem:
    """One pipeline move of a pair."""

    match_id: int
    manufacturer_name: str
    supplier_name: str
    from_status: str | None
    to_status: str
    day: date
    url: str


@dataclass(frozen=True)
class UnmetNeed:
    """A manufacturer need no supplier answers well yet."""

    company_name: str
    need: str
    best_score: float
    best_match_url: str | None


@dataclass(frozen=True)
class DigestContent:
    """Everything one mail says, as plain data; empty sections are simply not rendered."""

    audience: Literal["member", "coordinator"]
    language: str
    recipient_name: str
    week: str
    period_start: date
    period_end: date
    company_name: str = ""
    hub_name: str = ""
    partners: tuple[PartnerItem, ...] = ()
    introductions: tuple[IntroductionItem, ...] = ()
    best_pairs: tuple[PairItem, ...] = ()
    transitions: tuple[TransitionItem, ...] = ()
    unmet_needs: tuple[UnmetNeed, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.partners or self.introductions or self.best_pairs or self.transitions or self.unmet_needs)


def match_url(base_url: str, match_id: int) -> str:
    """The web page of one match (the web layer serves /matches/<id>)."""
    return f"{base_url.rstrip('/')}/matches/{match_id}"


def _reason(match: Match) -> str:
    return Explanation.from_dict(match.explanation or {}).headline()


def _hub_name(session: Session, hub_key: str | None, language: str) -> str:
    if hub_key is None:
        return "전체 허브" if language == "ko" else "all hubs"
    hub = session.get(Hub, hub_key)
    names = (hub.name_ko, hub.name_en) if hub else HUBS.get(hub_key, (hub_key, hub_key))
    return names[0] if language == "ko" else names[1]


def _changed_in(since: datetime, until: datetime, *columns: Any) -> Any:
    return or_(*[(col >= since) & (col < until) for col in columns])


def _member_sections(
    session: Session, company: Company, since: datetime, until: datetime, base_url: str, language: str
) -> tuple[tuple[PartnerItem, ...], tuple[IntroductionItem, ...]]:
    is_manufacturer = company.kind == "manufacturer"
    own_col = Match.manufacturer_id if is_manufacturer else Match.supplier_id
    changed = session.scalars(
        select(Match)
        .where(own_col == company.id, Match.status != "declined")
        .where(_changed_in(since, until, Match.created_at, Match.improved_at))
        .order_by(Match.score.desc(), Match.id)
        .limit(LIST_LIMIT)
    ).all()
    partners = []
    for m in changed:
        other = m.supplier if is_manufacturer else m.manufacturer
        if other.status != "active":  # a pending or rejected company is not proposed to anyone
            continue
        partners.append(
            PartnerItem(
                match_id=m.id,
                partner_name=other.name,
                partner_summary=other.summary or "",
                hub_name=_hub_name(session, other.hub_key, language),
                score=m.score,
                reason=_reason(m),
                is_new=as_utc(m.created_at) >= since,
                url=match_url(base_url, m.id),
                previous_score=None if as_utc(m.created_at) >= since else m.previous_score,
            )
        )
    # Introductions: anything that moved in the period, plus every one still waiting for an answer.
    intros = session.scalars(
        select(Introduction)
        .join(Match, Introduction.match_id == Match.id)
        .where(own_col == company.id)
        .where(
            or_(
                _changed_in(
                    since,
                    until,
                    Introduction.created_at,
                    Introduction.manufacturer_responded_at,
                    Introduction.supplier_responded_at,
                ),
                (Introduction.manufacturer_response == "pending") | (Introduction.supplier_response == "pending"),
            )
        )
        .where(Introduction.manufacturer_response != "declined", Introduction.supplier_response != "declined")
        .order_by(Introduction.created_at.desc(), Introduction.id)
        .limit(LIST_LIMIT)
    ).all()
    introductions = []
    for intro in intros:
        m = intro.match
        other = m.supplier if is_manufacturer else m.manufacturer
        own, theirs = (
            (intro.manufacturer_response, intro.supplier_response)
            if is_manufacturer
            else (intro.supplier_response, intro.manufacturer_response)
        )
        introductions.append(
            IntroductionItem(
                match_id=m.id,
                partner_name=other.name,
                own_response=own,
                partner_response=theirs,
                status=m.status,
                both_accepted=intro.both_accepted,
                url=match_url(base_url, m.id),
            )
        )
    return tuple(partners), tuple(introductions)


def _in_hub(column: Any, hub_key: str | None) -> Any:
    return column == hub_key if hub_key is not None else column.is_not(None)


def _best_pairs(
    session: Session, hub_key: str | None, since: datetime, until: datetime, base_url: str
) -> tuple[PairItem, ...]:
    rows = session.scalars(
        select(Match)
        .where(_in_hub(Match.hub_key, hub_key), Match.status != "declined")
        .where(_changed_in(since, until, Match.created_at, Match.improved_at))
        .order_by(Match.score.desc(), Match.id)
        .limit(5)
    ).all()
    return tuple(
        PairItem(
            match_id=m.id,
            manufacturer_name=m.manufacturer.name,
            supplier_name=m.supplier.name,
            score=m.score,
            reason=_reason(m),
            is_new=as_utc(m.created_at) >= since,
            url=match_url(base_url, m.id),
            previous_score=None if as_utc(m.created_at) >= since else m.previous_score,
        )
        for m in rows
        if m.manufacturer.status == "active" and m.supplier.status == "active"
    )


def _transitions(
    session: Session, hub_key: str | None, since: datetime, until: datetime, base_url: str
) -> tuple[TransitionItem, ...]:
    rows = session.scalars(
        select(PipelineTransition)
        .join(Match, PipelineTransition.match_id == Match.id)
        .where(_in_hub(Match.hub_key, hub_key))
        .where(_changed_in(since, until, PipelineTransition.at))
        .order_by(PipelineTransition.at, PipelineTransition.id)
        .limit(20)
    ).all()
    return tuple(
        TransitionItem(
            match_id=tr.match_id,
            manufacturer_name=tr.match.manufacturer.name,
            supplier_name=tr.match.supplier.name,
            from_status=tr.from_status,
            to_status=tr.to_status,
            day=as_utc(tr.at).astimezone(KST).date(),
            url=match_url(base_url, tr.match_id),
        )
        for tr in rows
    )


def top_unmet_needs(
    session: Session, hub_key: str | None, base_url: str, *, threshold: float = UNMET_NEED_THRESHOLD, limit: int = 5
) -> tuple[UnmetNeed, ...]:
    """Needs of the hub's manufacturers whose best need/capability score over all their matches is low."""
    makers = session.scalars(
        select(Company).where(
            Company.kind == "manufacturer", Company.status == "active", _in_hub(Company.hub_key, hub_key)
        )
    ).all()
    if not makers:
        return ()
    best: dict[tuple[int, int], tuple[float, int | None]] = {}
    for maker in makers:
        for i, _ in enumerate(maker.needs or []):
            best[(maker.id, i)] = (0.0, None)
    matches = session.scalars(
        select(Match).where(Match.manufacturer_id.in_([c.id for c in makers]), Match.status != "declined")
    ).all()
    for m in matches:
        for nm in Explanation.from_dict(m.explanation or {}).need_matches:
            key = (m.manufacturer_id, nm.need_index)
            if key in best and nm.score > best[key][0]:
                best[key] = (nm.score, m.id)
    by_id = {c.id: c for c in makers}
    unmet = sorted(
        ((score, cid, i, mid) for (cid, i), (score, mid) in best.items() if score < threshold),
        key=lambda row: (row[0], by_id[row[1]].name, row[2]),
    )[:limit]
    return tuple(
        UnmetNeed(
            company_name=by_id[cid].name,
            need=by_id[cid].needs[i],
            best_score=score,
            best_match_url=match_url(base_url, mid) if mid is not None else None,
        )
        for score, cid, i, mid in unmet
    )


def collect_digest(session: Session, user: User, week: str, since: datetime, base_url: str) -> DigestContent:
    """What `user` should read in the digest of `week`, covering changes from `since` to the week's start."""
    until = as_utc(week_start(week))
    since = as_utc(since)
    language = user.language if user.language in ("ko", "en") else "ko"
    common: dict[str, Any] = dict(
        language=language,
        recipient_name=user.name or user.email.split("@")[0],
        week=week,
        period_start=since.astimezone(KST).date(),
        period_end=(until - timedelta(seconds=1)).astimezone(KST).date(),
    )
    if user.role in ("coordinator", "admin"):
        hub_key = user.hub_key if user.role == "coordinator" else None
        return DigestContent(
            audience="coordinator",
            hub_name=_hub_name(session, hub_key, language),
            best_pairs=_best_pairs(session, hub_key, since, until, base_url),
            transitions=_transitions(session, hub_key, since, until, base_url),
            unmet_needs=top_unmet_needs(session, hub_key, base_url),
            **common,
        )
    company = user.company
    if company is None:
        return DigestContent(audience="member", **common)
    partners, introductions = _member_sections(session, company, since, until, base_url, language)
    return DigestContent(
        audience="member", company_name=company.name, partners=partners, introductions=introductions, **common
    )


# --- rendering -------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = format_score
    return env


_ENV = _environment()


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


def render_digest(content: DigestContent, unsubscribe_url: str) -> RenderedDigest:
    """Subject, plain-text and HTML bodies in the subscriber's language."""
    lang = content.language

    def tr(key: str, **values: object) -> str:
        return t(lang, key, **values)

    if content.audience == "member":
        key, count = "subject_partners", len(content.partners)
    else:
        key, count = "subject_pairs", len(content.best_pairs)
    subject = tr(key, week=content.week, count=count) if count else tr("subject", week=content.week)
    context = dict(
        c=content,
        t=tr,
        lang=lang,
        day=lambda d: format_day(d, lang),
        status=lambda s: tr(f"status_{s}") if s else tr("status_none"),
        response=lambda r: tr(f"response_{r}"),
        unsubscribe_url=unsubscribe_url,
        subject=subject,
    )
    return RenderedDigest(
        subject=subject,
        text=_ENV.get_template("digest.txt").render(**context),
        html=_ENV.get_template("digest.html").render(**context),
    )


def digest_message_id(week: str, subscription_id: int) -> str:
    """Stable per (week, subscription), so a resent copy can be recognised as the same mail."""
    return f"<digest-{week}-{subscription_id}@dxmatch>"


def unsubscribe_url(settings: Settings, subscription_id: int) -> str:
    """The one-click link of a subscription (served by web.digest at /digest/unsubscribe/<token>)."""
    return f"{settings.base_url.rstrip('/')}/digest/unsubscribe/{unsubscribe_token(subscription_id, settings)}"


def build_message(
    rendered: RenderedDigest,
    *,
    settings: Settings,
    recipient: str,
    message_id: str,
    unsubscribe_link: str,
    language: str,
) -> EmailMessage:
    """A multipart/alternative mail with one-click unsubscribe headers (RFC 8058)."""
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = settings.mail_from
    msg["To"] = recipient
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id
    msg["List-Id"] = "dxmatch weekly digest <digest.dxmatch>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_link}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    msg["Content-Language"] = language  # after the body: set_content() drops Content-* headers
    return msg


# --- subscriptions ---------------------------------------------------------------------


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=_TOKEN_SALT)


def unsubscribe_token(subscription_id: int, settings: Settings) -> str:
    """A signed token naming one subscription; it does not expire, so old mails keep working."""
    return _serializer(settings).dumps(subscription_id)


def verify_unsubscribe_token(token: str, settings: Settings) -> int:
    """The subscription id inside a token signed with settings.secret_key; ValidationFailed if forged."""
    try:
        value = _serializer(settings).loads(token)
    except BadSignature as exc:
        raise ValidationFailed("invalid unsubscribe link") from exc
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed("invalid unsubscribe link")
    return value


def unsubscribe(session: Session, subscription_id: int) -> None:
    """Stop the digest for a subscription (idempotent); the one implementation is services.subscriptions."""
    from services import subscriptions

    subscriptions.unsubscribe(session, subscription_id)


def is_eligible(sub: DigestSubscription) -> bool:
    """Only active subscriptions of active users get mail."""
    return bool(sub.active and sub.unsubscribed_at is None and sub.user is not None and sub.user.active)


# --- sending ---------------------------------------------------------------------------


@dataclass
class DigestRunSummary:
    """What one run did; `line()` is the summary the CLI prints."""

    week: str
    dry_run: bool = False
    sent: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> recipients
    failed: list[tuple[str, str]] = field(default_factory=list)  # (recipient, error), given up for good
    retry_later: list[tuple[str, str]] = field(default_factory=list)  # failed this run, retried next run
    would_send: list[tuple[str, str]] = field(default_factory=list)  # dry run: (recipient, subject)

    def skip(self, reason: str, recipient: str) -> None:
        self.skipped.setdefault(reason, []).append(recipient)

    @property
    def skipped_count(self) -> int:
        return sum(len(v) for v in self.skipped.values())

    def line(self) -> str:
        text = f"sent {len(self.sent)}, skipped {self.skipped_count}, failed {len(self.failed) + len(self.retry_later)}"
        if self.retry_later:
            text += f" ({len(self.retry_later)} will be retried on the next run)"
        if self.dry_run:
            text += f" (dry run: would send {len(self.would_send)})"
        return text


def _since(sub: DigestSubscription, week: str) -> datetime:
    until = week_start(week)
    if sub.last_sent_week and sub.last_sent_week < week:
        return week_start(sub.last_sent_week)
    return until - timedelta(days=7)


def _prepare(
    session: Session, sub: DigestSubscription, settings: Settings, week: str, message_id: str, recipient: str
) -> tuple[DigestContent, EmailMessage]:
    content = collect_digest(session, sub.user, week, _since(sub, week), settings.base_url)
    link = unsubscribe_url(settings, sub.id)
    rendered = render_digest(content, link)
    message = build_message(
        rendered,
        settings=settings,
        recipient=recipient,
        message_id=message_id,
        unsubscribe_link=link,
        language=content.language,
    )
    return content, message


def _deliver(mailer: Mailer, message: EmailMessage, retries: int, sleep: Callable[[float], None]) -> None:
    """Send once, retrying a transient error a few times with a short back-off."""
    for attempt in range(retries + 1):
        try:
            mailer.send(message)
            return
        except MailError as exc:
            if not exc.transient or attempt == retries:
                raise
            log.warning("transient error for %s, retrying: %s", message["To"], exc)
            sleep(0.5 * 2**attempt)


def send_weekly_digest(
    session: Session,
    mailer: Mailer,
    settings: Settings,
    *,
    week: str | None = None,
    dry_run: bool = False,
    progress: Callable[[Sequence[DigestSubscription]], Iterable[DigestSubscription]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_attempts: int = MAX_ATTEMPTS,
    in_run_retries: int = IN_RUN_RETRIES,
) -> DigestRunSummary:
    """Send the digest of `week` to every eligible subscriber who has not had it yet.

    Per subscription: commit an outbox row (stable Message-ID), commit `sending` with
    attempts+1, send, commit `sent`. A rerun skips `sent` rows, retries `pending` rows and
    resends rows left in `sending` by a crash, all bounded by `max_attempts`.
    Run one sender at a time (the scheduler is one process; cron uses flock).
    """
    week = week or current_week()
    week_start(week)  # validate early
    summary = DigestRunSummary(week=week, dry_run=dry_run)
    subs = session.scalars(select(DigestSubscription).order_by(DigestSubscription.id)).all()
    for sub in progress(subs) if progress else subs:
        _send_one(session, mailer, settings, sub, week, summary, dry_run, sleep, max_attempts, in_run_retries)
    return summary


def _send_one(
    session: Session,
    mailer: Mailer,
    settings: Settings,
    sub: DigestSubscription,
    week: str,
    summary: DigestRunSummary,
    dry_run: bool,
    sleep: Callable[[float], None],
    max_attempts: int,
    in_run_retries: int,
) -> None:
    address = sub.user.email if sub.user else f"subscription {sub.id}"
    if not is_eligible(sub):
        summary.skip("unsubscribed or inactive", address)
        return
    if auth.email_problem(sub.user.email):  # one valid address per mail: never a list smuggled in as one
        summary.skip("not a valid e-mail address", address)
        return
    row = session.scalar(select(DigestOutbox).where(DigestOutbox.subscription_id == sub.id, DigestOutbox.week == week))
    if row is not None and row.status == "sent":
        summary.skip("already sent", row.recipient)
        return
    if row is not None and row.status == "failed":
        summary.skip("failed in an earlier run", row.recipient)
        return
    message_id = row.message_id if row else digest_message_id(week, sub.id)
    recipient = row.recipient if row else sub.user.email
    try:
        content, message = _prepare(session, sub, settings, week, message_id, recipient)
    except Exception as exc:  # a bug for one subscriber must not stop the others
        log.exception("cannot build the digest for %s", recipient)
        if row is not None and not dry_run:
            row.status, row.last_error = "failed", f"render: {exc}"
            session.commit()
        summary.failed.append((recipient, f"render: {exc}"))
        return
    if row is None and content.is_empty:
        summary.skip("nothing new", recipient)
        return
    if dry_run:
        summary.would_send.append((recipient, str(message["Subject"])))
        return
    if row is None:
        row = DigestOutbox(subscription_id=sub.id, week=week, message_id=message_id, recipient=recipient)
        session.add(row)
        try:
            session.commit()  # the outbox row exists before anything leaves
        except IntegrityError:
            session.rollback()
            summary.skip("claimed by another run", recipient)
            return
    if row.attempts >= max_attempts:
        # A row still `sending` after max_attempts: the server may have it; stop rather than loop.
        row.status = "failed"
        row.last_error = (row.last_error or "") + f" [gave up after {row.attempts} attempts]"
        session.commit()
        summary.failed.append((recipient, row.last_error))
        return
    claimed = session.execute(
        update(DigestOutbox)
        .where(
            DigestOutbox.id == row.id,
            DigestOutbox.attempts == row.attempts,
            DigestOutbox.status.in_(("pending", "sending")),
        )
        .values(status="sending", attempts=row.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if claimed != 1:
        summary.skip("claimed by another run", recipient)
        return
    session.refresh(row)
    try:
        _deliver(mailer, message, in_run_retries, sleep)
    except MailError as exc:
        give_up = not exc.transient or row.attempts >= max_attempts
        row.status = "failed" if give_up else "pending"
        row.last_error = str(exc)[:2000]
        session.commit()
        (summary.failed if give_up else summary.retry_later).append((recipient, str(exc)))
        return
    row.status, row.sent_at, row.last_error = "sent", utcnow(), None
    if not sub.last_sent_week or sub.last_sent_week < week:
        sub.last_sent_week = week
    session.commit()
    summary.sent.append(recipient)
