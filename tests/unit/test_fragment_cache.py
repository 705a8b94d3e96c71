"""The per-process fragment cache: renders a key once, keeps at most `size` fragments, least recent out first."""
from __future__ import annotations

from web.fragments import FragmentCache


def test_a_key_is_rendered_once_and_the_least_recently_used_goes_first():
    cache, rendered = FragmentCache(size=2), []

    def render(text: str):
        return lambda: rendered.append(text) or f"<b>{text}</b>"

    assert cache.get_or_render(("a",), render("a")) == "<b>a</b>"
    cache.get_or_render(("a",), render("a"))
    cache.get_or_render(("b",), render("b"))
    cache.get_or_render(("a",), render("a"))  # a is now the most recent
    cache.get_or_render(("c",), render("c"))  # b goes
    cache.get_or_render(("a",), render("a"))
    cache.get_or_render(("b",), render("b"))
    assert rendered == ["a", "b", "c", "b"] and len(cache) == 2
