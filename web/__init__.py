"""The dxmatch web app: `create_app()` wires config, extensions, blueprints and the error handler."""
from __future__ import annotations

from typing import Any

from flask import Flask

from config.settings import Settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from Settings.from_env(), then apply `test_config` (any Flask or Settings key)."""
    from web import capacity, config, database, errors, fragments, i18n, inputs, login, security
    from web.extensions import babel, csrf, limiter

    app = Flask(__name__, instance_relative_config=False)
    overrides = dict(test_config or {})
    settings = overrides.pop("DXMATCH_SETTINGS", None) or Settings.from_env()
    settings = config.settings_with_overrides(settings, overrides)
    app.config.from_mapping(config.flask_config(settings))
    app.config.update(overrides)
    config.require_strong_secret_key(app)

    database.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install_template_gettext(app)
    limiter.init_app(app)
    login.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    inputs.init_app(app)
    app.jinja_env.globals.update(i18n.template_helpers(), at_capacity=capacity.at_capacity)
    fragments.init_app(app)

    from web import admin, api, auth, company, digest, hub, main, notifications

    for module in (main, auth, company, hub, admin, digest, notifications, api):
        app.register_blueprint(module.bp)
    api.init_app(app)
    if not app.testing and app.config.get("DXMATCH_START_BACKGROUND", True):
        # finish what a crash left pending; build the first index and warm the model in the background
        try:
            database.runtime_of(app).recover()
        except Exception:  # noqa: BLE001 - a database still starting must not stop the site; jobs retry later
            app.logger.exception("could not check for pending matching work at start")
        database.runtime_of(app).warm_up_in_background(then=app.config.get("DXMATCH_AFTER_WARM_UP"))
    return app
