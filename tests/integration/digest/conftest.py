"""Fixtures of the digest tests: a real SMTP server on loopback and a small hub with subscribers.

The database (`session`) and `settings` come from tests/conftest.py.
"""
from __future__ import annotations

import asyncio
import socket
from collections import Counter
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from datetime import timedelta
from email.message import EmailMessage
from typing import Callable

import pytest
from aiosmtpd.controller import Controller

from config.settings import Settings
from matcher.types import Explanation, NeedMatch
from models import Company, DigestSubscription, Introduction, Match, PipelineTransition, User
from services.digest import current_week


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings (tests/conftest.py) with a public base URL and a known secret."""
    return replace(
        settings,
        secret_key="digest-test-secret",
        base_url="https://dxmatch.test",
        mail_from="dxmatch <digest@dxmatch.test>",
    )


# --- a small hub with every kind of subscriber --------------------------------------------

CONFIDENTIAL = ("CONFIDENTIAL-NOTE-7731", "기밀메모-오창-4412", "SECRET-SUPPLIER-0099")
CONTACTS = ("ceo@ochang-precision.example", "qa@osong-biopack.example", "sales@visionai.example",
            "hello@predictive.example", "contact@datafactory.example")


@dataclass
class World:
    week: str
    companies: dict[str, Company]
    users: dict[str, User]
    subs: dict[str, DigestSubscription]
    matches: dict[str, Match]
    secrets: tuple[str, ...] = CONFIDENTIAL + CONTACTS  # must never appear in any mail

    @property
    def eligible(self) -> set[str]:
        return {self.users[k].email for k in ("kim", "jane", "lee", "park", "alex")}


def _explanation(*need_matches: tuple[int, str, str, float]) -> dict:
    return Explanation(need_matches=tuple(NeedMatch(*nm) for nm in need_matches), industry_fit=True).to_dict()


def build_world(session) -> World:
    """Two manufacturers, three suppliers, their matches, and seven users (five eligible)."""
    c = {
        "m1": Company(external_id="m-ochang-precision", kind="manufacturer", name="오창정밀", hub_key="ochang",
                      language="ko", industry="semiconductor", summary="반도체 장비 부품 정밀 가공",
                      needs=["외관 불량 자동 검출", "설비 예지보전", "생산 일정 최적화"],
                      confidential_notes=CONFIDENTIAL[0], contact_email=CONTACTS[0]),
        "m2": Company(external_id="m-osong-biopack", kind="manufacturer", name="Osong BioPack", hub_key="ochang",
                      language="en", industry="bio", summary="Sterile packaging for biologics",
                      needs=["Cold-chain temperature monitoring", "Batch record digitisation"],
                      confidential_notes=CONFIDENTIAL[1], contact_email=CONTACTS[1]),
        "s1": Company(external_id="s-visionai", kind="supplier", name="비전AI랩", hub_key="ochang", language="ko",
                      summary="딥러닝 비전 검사 솔루션", capabilities=["딥러닝 기반 외관 검사"],
                      confidential_notes=CONFIDENTIAL[2], contact_email=CONTACTS[2]),
        "s2": Company(external_id="s-predictive", kind="supplier", name="Predictive Works", hub_key="pangyo",
                      language="en", summary="Vibration analytics for CNC fleets",
                      capabilities=["Vibration-based failure prediction"], contact_email=CONTACTS[3]),
        "s3": Company(external_id="s-datafactory", kind="supplier", name="데이터팩토리", hub_key="ochang",
                      language="ko", summary="IoT 센서 데이터 플랫폼", capabilities=["IoT 온도 로깅"],
                      contact_email=CONTACTS[4]),
    }
    session.add_all(c.values())
    session.flush()
    m = {
        "m1s1": Match(manufacturer_id=c["m1"].id, supplier_id=c["s1"].id, hub_key="ochang", score=0.86, rank=1,
                      explanation=_explanation((0, "외관 불량 자동 검출", "딥러닝 기반 외관 검사", 0.91))),
        "m1s2": Match(manufacturer_id=c["m1"].id, supplier_id=c["s2"].id, hub_key="ochang", score=0.72, rank=2,
                      explanation=_explanation((1, "설비 예지보전", "Vibration-based failure prediction", 0.78))),
        "m2s3": Match(manufacturer_id=c["m2"].id, supplier_id=c["s3"].id, hub_key="ochang", score=0.55, rank=1,
                      explanation=_explanation((0, "Cold-chain temperature monitoring", "IoT 온도 로깅", 0.62),
                                               (1, "Batch record digitisation", "IoT 온도 로깅", 0.21))),
    }
    session.add_all(m.values())
    session.flush()
    session.add(Introduction(match_id=m["m1s1"].id, manufacturer_response="accepted", supplier_response="pending"))
    session.add(PipelineTransition(match_id=m["m1s1"].id, from_status="proposed", to_status="introduced"))
    m["m1s1"].status = "introduced"
    u = {
        "kim": User(email="kim@member.example", name="김민수", password_hash="x", role="member",
                    company_id=c["m1"].id, language="ko"),
        "jane": User(email="jane@member.example", name="Jane Doe", password_hash="x", role="member",
                     company_id=c["m2"].id, language="en"),
        "lee": User(email="lee@member.example", name="이서연", password_hash="x", role="member",
                    company_id=c["s1"].id, language="ko"),
        "park": User(email="park@hub.example", name="박지훈", password_hash="x", role="coordinator",
                     hub_key="ochang", language="ko"),
        "alex": User(email="alex@hub.example", name="Alex Kim", password_hash="x", role="coordinator",
                     hub_key="ochang", language="en"),
        "gone": User(email="gone@member.example", name="Gone", password_hash="x", role="member",
                     company_id=c["s2"].id, language="en"),
        "inactive": User(email="inactive@member.example", name="Inactive", password_hash="x", role="member",
                         company_id=c["s3"].id, language="ko", active=False),
        "nosub": User(email="nosub@member.example", name="No Sub", password_hash="x", role="member",
                      company_id=c["m2"].id, language="en"),
    }
    session.add_all(u.values())
    session.flush()
    subs = {k: DigestSubscription(user_id=u[k].id) for k in ("kim", "jane", "lee", "park", "alex", "gone", "inactive")}
    session.add_all(subs.values())
    session.flush()
    subs["gone"].active = False
    subs["gone"].unsubscribed_at = subs["gone"].created_at
    session.commit()
    # The rows above were written now; the digest of next week covers "last week", i.e. now.
    week = current_week(subs["kim"].created_at + timedelta(days=7))
    return World(week=week, companies=c, users=u, subs=subs, matches=m)


@pytest.fixture
def world(session) -> World:
    return build_world(session)


# --- a real SMTP server on 127.0.0.1 -------------------------------------------------------


@dataclass
class RecordingHandler:
    """Accepts mail and records it; `reply` may answer a DATA command with an error instead."""

    messages: list[EmailMessage] = field(default_factory=list)
    data_commands: int = 0
    reply: Callable[[int, str], str | None] = lambda n, rcpt: None

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        self.data_commands += 1
        rcpt = envelope.rcpt_tos[0]
        answer = self.reply(self.data_commands, rcpt)
        if answer:
            return answer
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 Message accepted for delivery"

    quit_reply: str | None = None

    async def handle_QUIT(self, server, session, envelope):  # noqa: ANN001, N802
        return self.quit_reply or "221 Bye"

    def received(self) -> Counter[str]:
        """How many mails each address received."""
        return Counter(m["X-Envelope-To"] for m in self.messages)


@dataclass
class SmtpServer:
    handler: RecordingHandler
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), loop=asyncio.new_event_loop())
    controller.start()
    try:
        yield SmtpServer(handler, controller.hostname, controller.port)
    finally:
        controller.stop()
        controller.loop.close()
