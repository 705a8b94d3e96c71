"""Rendered HTML of template fragments that depend only on their inputs, kept per process.

A pair's explanation (which need met which capability, the rules) is the heaviest part of a pair
card, and a hub's lists show the same pairs to every coordinator, page after page: it is rendered
once per explanation and language and reused. The key is the explanation's content itself (not an
id or a date that an update could forget to change), so a cached fragment can never be stale; each
process holds its own bounded cache (nothing shared between workers, a lock between threads).
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any, Callable

from flask import Flask, current_app
from markupsafe import Markup

from web.i18n import lang

EXTENSION = "dxmatch_fragments"


class FragmentCache:
    """At most `size` rendered fragments, least recently used dropped first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, Markup] = OrderedDict()

    def get_or_render(self, key: tuple, render: Callable[[], Markup]) -> Markup:
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
                return html
        html = Markup(render())  # outside the lock: two threads may render the same fragment once each
        with self._lock:
            self._entries[key] = html
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return html

    def __len__(self) -> int:
        return len(self._entries)


def cached_explanation(match: Any, side: str | None = None) -> Markup:
    """The `explanation` macro of _macros.html for this pair, from the cache when the same explanation
    was rendered in the same language before."""
    content = json.dumps(getattr(match, "explanation", None), sort_keys=True, ensure_ascii=False, default=str)
    key = ("explanation", lang(), side, content)
    macro = current_app.jinja_env.get_template("_macros.html").module.explanation
    return current_app.extensions[EXTENSION].get_or_render(key, lambda: macro(match, side))


def init_app(app: Flask, size: int = 4096) -> None:
    app.extensions[EXTENSION] = FragmentCache(size)
    app.jinja_env.globals["cached_explanation"] = cached_explanation
