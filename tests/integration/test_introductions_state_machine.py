"""The double opt-in as a state machine: confidential data is visible exactly when both sides accepted,
and every reveal leaves an audit row."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from models import AuditEvent, Match
from services import introductions, pipeline
from services.errors import Conflict, Forbidden, NotFound
from tests.factories import gen_company, gen_match, gen_user

SIDES = ("manufacturer", "supplier")


class IntroductionFlow(RuleBasedStateMachine):
    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        manufacturer = gen_company(session, "manufacturer", confidential_notes="증설 계획: 비공개")
        supplier = gen_company(session, "supplier", hub="ochang", contact_email="sales@supplier.example.com")
        outsider = gen_company(session, "manufacturer")
        self.match_id = gen_match(session, manufacturer, supplier).id
        self.notes = manufacturer.confidential_notes
        self.supplier_email = supplier.contact_email
        self.users = {
            "manufacturer": gen_user(session, "member", company=manufacturer),
            "supplier": gen_user(session, "member", company=supplier),
        }
        self.outsider = gen_user(session, "member", company=outsider)
        self.coordinator = gen_user(session, "coordinator", hub="ochang")
        # the model
        self.status = "proposed"
        self.answers: dict[str, str] | None = None
        self.reveals = 0

    @property
    def both_accepted(self) -> bool:
        return self.answers is not None and all(a == "accepted" for a in self.answers.values())

    @rule()
    def coordinator_introduces(self) -> None:
        if self.status == "proposed":
            pipeline.move(self.session, self.coordinator, self.match_id, "introduced")
            self.status, self.answers = "introduced", {side: "pending" for side in SIDES}
        else:
            with pytest.raises(Conflict):
                pipeline.move(self.session, self.coordinator, self.match_id, "introduced")

    @rule()
    def coordinator_books_meeting(self) -> None:
        if self.status == "introduced" and self.both_accepted:
            pipeline.move(self.session, self.coordinator, self.match_id, "meeting")
            self.status = "meeting"
        else:
            with pytest.raises(Conflict):
                pipeline.move(self.session, self.coordinator, self.match_id, "meeting")

    @rule(side=st.sampled_from(SIDES), answer=st.sampled_from(["accepted", "declined"]))
    def side_answers(self, side: str, answer: str) -> None:
        user = self.users[side]
        if self.answers is None:
            with pytest.raises(NotFound):
                introductions.respond(self.session, user, self.match_id, answer)
        elif self.status == "declined" or self.answers[side] != "pending":
            with pytest.raises(Conflict):
                introductions.respond(self.session, user, self.match_id, answer)
        else:
            introductions.respond(self.session, user, self.match_id, answer)
            self.answers[side] = answer
            if answer == "declined":
                self.status = "declined"

    @rule(side=st.sampled_from(SIDES))
    def side_views_partner(self, side: str) -> None:
        view = introductions.partner_view(self.session, self.users[side], self.match_id)
        assert view.revealed == self.both_accepted
        if side == "supplier":
            assert view.confidential_notes == (self.notes if self.both_accepted else None)
        else:
            assert view.contact_email == (self.supplier_email if self.both_accepted else None)
        if view.revealed:
            self.reveals += 1

    @rule()
    def outsider_cannot_view(self) -> None:
        with pytest.raises(NotFound):
            introductions.partner_view(self.session, self.outsider, self.match_id)

    @rule()
    def coordinator_cannot_use_member_view(self) -> None:
        with pytest.raises(Forbidden):
            introductions.partner_view(self.session, self.coordinator, self.match_id)

    @invariant()
    def every_reveal_is_audited(self) -> None:
        rows = list(self.session.scalars(
            select(AuditEvent).where(AuditEvent.match_id == self.match_id, AuditEvent.action == "confidential.view")
        ))
        assert len(rows) == self.reveals
        assert all(r.actor_id in {u.id for u in self.users.values()} and r.company_id is not None for r in rows)

    @invariant()
    def stored_status_follows_the_model(self) -> None:
        assert self.session.scalar(select(Match.status).where(Match.id == self.match_id)) == self.status
        assert self.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.actor_id.is_(None))) == 0


@pytest.mark.slow  # 25 random runs of the state machine on the database: ~30 s
def test_confidential_data_is_visible_exactly_when_both_sides_accepted(session):
    run_state_machine_as_test(
        lambda: IntroductionFlow(session),
        settings=settings(max_examples=25, stateful_step_count=12, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]),
    )
