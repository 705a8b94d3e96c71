"""Unsubscribe links of the digest: a signed subscription id that never expires, so old mails keep working."""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from config.settings import Settings
from services.errors import ValidationFailed

_TOKEN_SALT = "dxmatch.digest.unsubscribe"


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
        raise ValidationFailed("unsubscribe.link_invalid") from exc
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed("unsubscribe.link_invalid")
    return value


def unsubscribe_url(settings: Settings, subscription_id: int) -> str:
    """The one-click link of a subscription (served by web.digest at /digest/unsubscribe/<token>)."""
    return f"{settings.base_url.rstrip('/')}/digest/unsubscribe/{unsubscribe_token(subscription_id, settings)}"


def unsubscribe(session: Session, subscription_id: int) -> None:
    """Stop the digest for a subscription (idempotent); the one implementation is services.subscriptions."""
    from services import subscriptions

    subscriptions.unsubscribe(session, subscription_id)
