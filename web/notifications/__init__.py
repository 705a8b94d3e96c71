"""The account page's notification switches and the one-click unsubscribe links of notification mails."""
from web.notifications.routes import bp

__all__ = ["bp"]
