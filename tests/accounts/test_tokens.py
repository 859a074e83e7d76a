"""The token service: issue, verify, revoke; what makes a token stop working."""
from datetime import timedelta

import pytest

from accounts import service, tokens
from accounts.models import ApiToken
from engine.db import db
from engine.types import utcnow


@pytest.fixture
def user(app):
    user = service.add_user("sales1", "secret-1", ["sales"])
    db.session.commit()
    return user


def test_a_token_is_random_prefixed_and_stored_only_as_its_sha256(user):
    row, token = tokens.issue(user, name="intake")
    other_row, other = tokens.issue(user)
    db.session.commit()
    assert token.startswith("tl_") and len(token) > 40 and token != other
    assert row.token_hash == tokens.digest(token) and len(row.token_hash) == 64
    assert row.prefix == token[:11] and row.name == "intake"
    assert db.session.query(ApiToken).filter_by(token_hash=token).count() == 0


def test_verify_finds_the_live_token_and_nothing_else(user):
    row, token = tokens.issue(user)
    db.session.commit()
    assert tokens.verify(token).id == row.id
    assert tokens.verify(token + "x") is None
    assert tokens.verify("") is None and tokens.verify(None) is None
    assert tokens.verify(token[3:]) is None  # without its scheme


def test_a_revoked_token_is_refused(user):
    row, token = tokens.issue(user)
    tokens.revoke(row)
    db.session.commit()
    first = row.revoked_at
    tokens.revoke(row, now=utcnow() + timedelta(days=1))
    assert row.revoked_at == first
    assert tokens.verify(token) is None


def test_a_token_works_until_it_expires(user):
    now = utcnow()
    _row, token = tokens.issue(user, expires_at=now + timedelta(hours=1))
    db.session.commit()
    assert tokens.verify(token, now=now + timedelta(minutes=59)) is not None
    assert tokens.verify(token, now=now + timedelta(hours=1)) is None


def test_an_inactive_users_token_is_refused(user):
    _row, token = tokens.issue(user)
    user.active = False
    db.session.commit()
    assert tokens.verify(token) is None


def test_last_use_is_written_at_most_once_a_minute(user):
    row, token = tokens.issue(user)
    db.session.commit()
    start = utcnow()
    assert tokens.verify(token, now=start).last_used_at == start
    assert tokens.verify(token, now=start + timedelta(seconds=59)).last_used_at == start
    later = start + timedelta(seconds=61)
    assert tokens.verify(token, now=later).last_used_at == later


def test_tokens_of_lists_a_users_tokens_newest_first(user):
    now = utcnow()
    old, _ = tokens.issue(user, name="old", now=now - timedelta(days=1))
    new, _ = tokens.issue(user, name="new", now=now)
    db.session.commit()
    assert [t.name for t in tokens.tokens_of(user)] == ["new", "old"]
