"""Matching use cases: keep the engine in step with the database and store proposed pairs.

The engine (`matcher`) knows nothing of storage; this module turns Company rows into
engine Profiles, keeps one Matcher per database per process (saved to the instance folder and
rebuilt when the database has moved on), and writes each manufacturer's best suppliers as
Match rows that the web pages and the digest read.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxmatch.config import Settings
from matcher.encoder import load_encoder
from matcher.engine import Matcher
from matcher.types import Explanation, MatchFilters, Profile
from models import Company, Match
from models.base import as_utc, utcnow

log = logging.getLogger(__name__)

PROPOSALS_PER_MANUFACTURER = 10
MIN_PROPOSAL_SCORE = 0.02  # below this nothing the manufacturer asked for is plausibly solved
IMPROVEMENT_MARGIN = 0.02  # a recompute that raises a pair's score by 2 points or more reports it as improved
IMPROVED_SHOWN_FOR = timedelta(days=28)  # pages flag such a pair for four weeks; the digest reports it once
MIN_VOCABULARY_COVERAGE = 0.75  # changed profiles whose words the index mostly never saw trigger a rebuild
BULK_CHANGE = 1000  # more changed companies than this (a bulk import) rebuild the index instead of upserts

_MATCHERS: dict[str, tuple[str, Matcher]] = {}  # database url -> (fingerprint, matcher)
_SYNCED_AT: dict[str, datetime | None] = {}  # database url -> newest Company.updated_at the matcher reflects


def recently_improved(match: Match, now: datetime | None = None) -> bool:
    """Whether pages flag the pair as improved: a recompute raised its score within `IMPROVED_SHOWN_FOR`."""
    if match.improved_at is None or match.previous_score is None:
        return False
    return (now or utcnow()) - as_utc(match.improved_at) <= IMPROVED_SHOWN_FOR


def profile_from_company(company: Company) -> Profile:
    """The engine's view of a Company row (public fields only: confidential notes never reach the engine)."""
    return Profile(
        id=company.external_id, kind=company.kind, name=company.name, hub=company.hub_key,
        language=company.language or "ko", industry=company.industry,
        needs=tuple(company.needs or ()), capabilities=tuple(company.capabilities or ()),
        references=tuple(company.references or ()), industries_served=tuple(company.industries_served or ()),
        certifications=tuple(company.certifications or ()),
        requires_security_certification=bool(company.requires_security_certification),
        summary=company.summary or "", description=company.description or "",
    )


def _active_companies(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).where(Company.status == "active").order_by(Company.external_id)))


def _fingerprint(session: Session, encoder_name: str) -> str:
    count, latest = session.execute(
        select(func.count(Company.id), func.max(Company.updated_at)).where(Company.status == "active")
    ).one()
    ids = ",".join(session.scalars(select(Company.external_id).where(Company.status == "active")
                                   .order_by(Company.external_id)))
    digest = hashlib.sha1(ids.encode()).hexdigest()[:12]
    return f"{encoder_name}|{count}|{latest}|{digest}"


def _latest_update(session: Session, excluding: Sequence[str] = ()) -> datetime | None:
    query = select(func.max(Company.updated_at))
    if excluding:
        query = query.where(Company.external_id.not_in(excluding))
    return session.scalar(query)


def _remember(session: Session, key: str, matcher: Matcher, fingerprint: str | None = None) -> None:
    _MATCHERS[key] = (fingerprint or _fingerprint(session, matcher.encoder.name), matcher)
    _SYNCED_AT[key] = _latest_update(session)


def _missed_changes(session: Session, key: str, matcher: Matcher, ids: Sequence[str]) -> bool:
    """Whether companies other than `ids` changed behind this process's matcher (another process, a script)."""
    others = set(session.scalars(select(Company.external_id).where(
        Company.status == "active", Company.external_id.not_in(ids))))
    if others != set(matcher.profiles) - set(ids):
        return True
    latest, synced = _latest_update(session, ids), _SYNCED_AT.get(key)
    return latest is not None and (synced is None or latest > synced)


def _db_key(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=False)


def get_matcher(session: Session, settings: Settings | None = None, *, rebuild: bool = False) -> Matcher:
    """The matcher for this database: from memory, else from the saved index, else built from the rows."""
    settings = settings or Settings.from_env()
    encoder = load_encoder(settings.model)
    fingerprint = _fingerprint(session, encoder.name)
    key = _db_key(session)
    cached = _MATCHERS.get(key)
    if cached and cached[0] == fingerprint and not rebuild:
        return cached[1]
    index_dir = _index_dir(settings, key)
    matcher: Matcher | None = None
    if not rebuild and (index_dir / "fingerprint").exists() and (index_dir / "fingerprint").read_text() == fingerprint:
        try:
            matcher = Matcher.load(index_dir, encoder)
        except (OSError, ValueError, EOFError) as exc:  # a damaged or foreign index is rebuilt, not fatal
            log.warning("index at %s unusable (%s); rebuilding", index_dir, exc)
    if matcher is None:
        matcher = Matcher(encoder).index(profile_from_company(c) for c in _active_companies(session))
        save_index(matcher, index_dir, fingerprint)
    _remember(session, key, matcher, fingerprint)
    return matcher


def _index_dir(settings: Settings, db_key: str) -> Path:
    base = settings.index_dir or (settings.instance_dir / "index")
    return Path(base) / hashlib.sha1(db_key.encode()).hexdigest()[:10]


def save_index(matcher: Matcher, index_dir: Path, fingerprint: str) -> None:
    """Save the engine and the database fingerprint it reflects."""
    try:
        matcher.save(index_dir)
        (index_dir / "fingerprint").write_text(fingerprint)
    except OSError as exc:  # a read-only instance folder must not stop matching
        log.warning("could not save index to %s: %s", index_dir, exc)


def propose_for(session: Session, matcher: Matcher, manufacturer: Company,
                top: int = PROPOSALS_PER_MANUFACTURER) -> int:
    """Store a manufacturer's best suppliers as Match rows; pairs already in the pipeline keep their state.

    The security rule is a filter here: a manufacturer that requires certification is never
    proposed an uncertified supplier (the engine itself ranks them in a lower tier).
    """
    profile = matcher.profiles.get(manufacturer.external_id)
    if profile is None:
        return 0
    filters = MatchFilters(certified_only=profile.requires_security_certification, min_score=MIN_PROPOSAL_SCORE)
    results = matcher.match(profile.id, top=top, filters=filters)
    suppliers = {c.external_id: c for c in session.scalars(
        select(Company).where(Company.external_id.in_([r.partner_id for r in results])))}
    existing = {m.supplier_id: m for m in session.scalars(select(Match).where(Match.manufacturer_id == manufacturer.id))}
    kept: set[int] = set()
    for rank, result in enumerate(results, start=1):
        supplier = suppliers.get(result.partner_id)
        if supplier is None:
            continue
        row = existing.get(supplier.id)
        if row is None:
            row = Match(manufacturer_id=manufacturer.id, supplier_id=supplier.id, status="proposed")
            session.add(row)
        elif result.score >= row.score + IMPROVEMENT_MARGIN:
            row.previous_score, row.improved_at = row.score, utcnow()
        row.hub_key = manufacturer.hub_key
        row.score = result.score
        row.rank = rank
        row.explanation = result.explanation.to_dict()
        kept.add(supplier.id)
    for supplier_id, row in existing.items():
        if supplier_id not in kept and row.status == "proposed":
            session.delete(row)  # dropped out of the proposals and never acted on
    return len(kept)


def recompute_all(session: Session, settings: Settings | None = None) -> int:
    """Recompute the proposals of every active manufacturer; returns how many pairs are proposed."""
    matcher = get_matcher(session, settings)
    total = 0
    for manufacturer in session.scalars(select(Company).where(Company.kind == "manufacturer",
                                                              Company.status == "active")):
        total += propose_for(session, matcher, manufacturer)
    session.commit()
    return total


def _rebuild(session: Session, settings: Settings | None, reason: str) -> None:
    """Start afresh: every profile, a fresh vocabulary and IDF, every proposal recomputed."""
    log.info("%s; rebuilding the index", reason)
    get_matcher(session, settings, rebuild=True)
    recompute_all(session, settings)


def on_companies_changed(session: Session, external_ids: Iterable[str], settings: Settings | None = None) -> None:
    """Re-index changed companies and refresh the proposals they affect.

    One profile at a time normally; a full rebuild for a bulk change, for changes made behind
    this process's back, or when the changed profiles bring mostly words the index never saw.
    """
    session.flush()
    ids = list(external_ids)
    key = _db_key(session)
    cached = _MATCHERS.get(key)
    if cached is None:
        recompute_all(session, settings)
        return
    matcher = cached[1]
    if len(ids) > BULK_CHANGE:  # one rebuild beats thousands of upserts (and SQL lists of thousands of ids)
        _rebuild(session, settings, f"{len(ids)} companies changed")
        return
    changed = list(session.scalars(select(Company).where(Company.external_id.in_(ids))))
    if _missed_changes(session, key, matcher, ids):  # incremental updates would hide them
        _rebuild(session, settings, "companies changed outside this process")
        return
    if matcher.vocabulary_coverage(profile_from_company(c) for c in changed if c.status == "active") \
            < MIN_VOCABULARY_COVERAGE:
        _rebuild(session, settings, "the changed profiles bring many words the index never saw")
        return
    affected: set[str] = set()
    for company in changed:
        if company.status == "active":
            matcher.upsert(profile_from_company(company))
        else:
            matcher.remove(company.external_id)
        if company.kind == "manufacturer":
            affected.add(company.external_id)
        elif company.external_id in matcher.profiles:
            affected.update(m.partner_id for m in matcher.match(company.external_id, top=50))
    for company in changed:
        if company.kind == "supplier":  # pairs it already has must be refreshed or dropped too
            affected.update(session.scalars(select(Company.external_id).join(Match, Match.manufacturer_id == Company.id)
                                            .where(Match.supplier_id == company.id)))
    for manufacturer in session.scalars(select(Company).where(Company.external_id.in_(affected),
                                                              Company.kind == "manufacturer")):
        propose_for(session, matcher, manufacturer)
    _remember(session, key, matcher)


def explanation_of(match: Match) -> Explanation:
    """The stored explanation of a Match row as the engine's Explanation."""
    return Explanation.from_dict(match.explanation or {})


def partners_for(session: Session, company: Company, top: int = 10,
                 filters: MatchFilters | None = None, settings: Settings | None = None) -> list[dict]:
    """Live ranked partners of any company (both directions), for the CLI and the API."""
    matcher = get_matcher(session, settings)
    if company.external_id not in matcher.profiles:
        return []
    matches = matcher.match(company.external_id, top=top, filters=filters)
    names = company_names(session, [m.partner_id for m in matches])
    return [
        {"partner_id": m.partner_id, "partner_name": names.get(m.partner_id, ""), "score": m.score,
         "reason": m.explanation.headline(), "explanation": m.explanation.to_dict()}
        for m in matches
    ]


def company_names(session: Session, external_ids: Sequence[str]) -> dict[str, str]:
    """Names of the companies behind engine results (their profile ids)."""
    query = select(Company.external_id, Company.name).where(Company.external_id.in_(external_ids))
    return dict(session.execute(query).all())


def text_embedder(settings: Settings | None = None) -> Callable[[Sequence[str]], np.ndarray]:
    """The engine's encoder as a plain function, for grouping texts by meaning (supply gaps)."""
    return load_encoder((settings or Settings.from_env()).model).encode
