"""Input every request passes before a view sees it: no NUL characters, readable JSON, ids a database can hold.

One place for what no form, query or API body may ever contain, so a view or service never
meets it (PostgreSQL refuses NUL in text, a 64-bit id overflows SQLite, deeply nested JSON
exhausts the stack). Field rules (lengths, numbers, invisible names) live in the services'
validation.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from services.errors import InvalidInput

MAX_ID = 2**31 - 1  # the largest value of an INTEGER primary key (PostgreSQL's int4)
MAX_JSON_DEPTH = 32
FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

NUL_MESSAGE = "request.nul"  # error codes (services.errors.MESSAGES)
JSON_MESSAGE = "request.bad_json"
DEPTH_MESSAGE = "request.too_deep"
SURROGATE_MESSAGE = "request.bad_unicode"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _digits_at_most(limit: int) -> str:
    """A regular expression of the decimal numbers 0..limit (e.g. 2147483647: 1-9 digits, 1\\d{9}, 20\\d{8}, ...)."""
    text = str(limit)
    options = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        low = 1 if i == 0 and len(text) > 1 else 0
        if int(digit) > low:
            rest = rf"\d{{{len(text) - i - 1}}}" if i < len(text) - 1 else ""
            options.append(f"{text[:i]}[{low}-{int(digit) - 1}]{rest}")
    options.append(text)
    return "(?:" + "|".join(options) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>` that matches only ids an INTEGER column can hold: a larger one is a 404, not a database error.

    The bound is in the pattern, not only in to_python: werkzeug answers 405 instead of 404 when a
    path matched another method's rule before the conversion failed.
    """

    regex = _digits_at_most(MAX_ID)

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's parameter name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _json_strings(value: Any) -> Iterator[str]:
    """Every key and string of a parsed JSON value, without recursion; InvalidInput when nested too deeply."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise InvalidInput(DEPTH_MESSAGE)
            if isinstance(item, dict):
                yield from item.keys()
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


def _json_body() -> Any:
    """The parsed JSON body of an API call (or a JSON request anywhere); None when there is none."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype in FORM_MIMETYPES:
        return None
    if not (request.is_json or request.path.startswith("/api/")) or not request.get_data(cache=True):
        return None
    try:
        return request.get_json(force=True)
    except BadRequest:
        raise InvalidInput(JSON_MESSAGE) from None
    except RecursionError:
        raise InvalidInput(DEPTH_MESSAGE) from None


def _request_strings() -> Iterable[str]:
    yield from request.args.keys()
    yield from (v for values in request.args.listvalues() for v in values)
    yield from (str(v) for v in (request.view_args or {}).values())
    if request.mimetype in FORM_MIMETYPES:
        yield from request.form.keys()
        yield from (v for values in request.form.listvalues() for v in values)
        yield from (f.filename or "" for f in request.files.values())
    yield from _json_strings(_json_body())


def check_request() -> None:
    """Refuse (400) a request whose query, path, form or JSON holds a NUL or a lone surrogate, or whose JSON cannot be read."""
    for text in _request_strings():
        if "\x00" in text:
            raise InvalidInput(NUL_MESSAGE)
        if _SURROGATE.search(text):  # only JSON escapes can make one; no database can store it
            raise InvalidInput(SURROGATE_MESSAGE)


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered: their `<int:...>` rules bind the converter then."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_request)
