"""What a failing statement leaves in errors and the server log: never its values (ASVS V16)."""
from __future__ import annotations

import hashlib
import logging

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from models import Company, make_engine, make_session_factory
from services import auth
from tests.factories import gen_company

NOTES = "SECRET-증설-계획-notes"
EMAIL = "secret-contact@hanbit.example.com"


def test_a_failing_update_keeps_confidential_notes_and_contact_email_out_of_the_error_and_log(session, caplog):
    company = gen_company(session, "manufacturer")
    statement = (update(Company).where(Company.id == company.id)
                 .values(confidential_notes=NOTES, contact_email=EMAIL, hub_key="no-such-hub"))
    with pytest.raises(DBAPIError) as failure:
        session.execute(statement)
        session.flush()
    session.rollback()
    logging.getLogger("dxmatch.test").error("update failed", exc_info=failure.value)
    for text in (str(failure.value), repr(failure.value), caplog.text):
        assert NOTES not in text and EMAIL not in text


def test_a_failed_bearer_token_lookup_does_not_log_the_token_or_its_hash(empty_db_url, caplog):
    token = "leaked-bearer-token-value"
    digest = hashlib.sha256(token.encode()).hexdigest()
    engine = make_engine(empty_db_url)  # no tables: the lookup fails inside the database
    try:
        with make_session_factory(engine)() as broken, pytest.raises(SQLAlchemyError) as failure:
            auth.user_for_token(broken, token)
    finally:
        engine.dispose()
    logging.getLogger("dxmatch.test").error("lookup failed", exc_info=failure.value)
    for text in (str(failure.value), caplog.text):
        assert digest not in text and token not in text
