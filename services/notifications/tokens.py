"""Unsubscribe links of notification mails: a signed (user, kind) that never expires, as the digest's links."""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from config.settings import Settings
from services.errors import ValidationFailed
from services.notifications.preferences import KINDS

_TOKEN_SALT = "dxmatch.notifications.unsubscribe"


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=_TOKEN_SALT)


def unsubscribe_token(user_id: int, kind: str, settings: Settings) -> str:
    """A signed token naming one user and one kind; it does not expire, so old mails keep working."""
    return _serializer(settings).dumps([user_id, kind])


def verify_unsubscribe_token(token: str, settings: Settings) -> tuple[int, str]:
    """(user id, kind) inside a token signed with settings.secret_key; ValidationFailed if forged or malformed."""
    try:
        value = _serializer(settings).loads(token)
    except BadSignature as exc:
        raise ValidationFailed("unsubscribe.link_invalid") from exc
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int) or isinstance(value[0], bool)
            or value[1] not in KINDS):
        raise ValidationFailed("unsubscribe.link_invalid")
    return value[0], value[1]


def unsubscribe_url(settings: Settings, user_id: int, kind: str) -> str:
    """The one-click link of one kind (served by web.notifications at /notifications/unsubscribe/<token>)."""
    return f"{settings.base_url.rstrip('/')}/notifications/unsubscribe/{unsubscribe_token(user_id, kind, settings)}"
