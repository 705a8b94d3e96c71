"""The company profile contract (shared/profile-format.md) as pydantic models.

`validate_profile()` is the only way a profile enters the service: JSONL and CSV import, the web
forms and the API all call it, so a rule lives in exactly one place. Every broken rule becomes one
`{"field": ..., "reason": ...}` entry in `ValidationFailed.detail["errors"]`.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, Union
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from config.reference import HUBS, INDUSTRIES
from matcher.text import detect_language
from services.errors import ValidationFailed

ID_PATTERN = r"^[A-Za-z0-9._-]+$"
MAX_ITEMS = 10
MAX_ITEM_CHARS = 1000
MAX_CERTIFICATION_CHARS = 100
MAX_EMAIL_CHARS = 254
MAX_URL_CHARS = 500
MAX_EMPLOYEES = 10_000_000
MAX_MONTHLY_CAPACITY = 1000  # new introductions a supplier can take per month: beyond this it is a typo

COMMON_FIELDS: tuple[str, ...] = (
    "id", "kind", "name", "hub", "language", "employees", "summary", "description", "contact_email", "website",
)
MANUFACTURER_FIELDS: tuple[str, ...] = ("industry", "needs", "requires_security_certification", "confidential_notes")
SUPPLIER_FIELDS: tuple[str, ...] = ("capabilities", "industries_served", "certifications", "references")
# Optional supplier fields added after the CSV columns were fixed: read from every format, written to JSONL only
# when set, so an export of profiles without them is unchanged (and the CSV templates keep their columns).
SUPPLIER_EXTRA_FIELDS: tuple[str, ...] = ("monthly_capacity",)
ALL_FIELDS: tuple[str, ...] = COMMON_FIELDS + MANUFACTURER_FIELDS + SUPPLIER_FIELDS
LIST_FIELDS: frozenset[str] = frozenset({"needs", "capabilities", "industries_served", "certifications", "references"})
BOOL_FIELDS: frozenset[str] = frozenset({"requires_security_certification"})
INT_FIELDS: frozenset[str] = frozenset({"employees", "monthly_capacity"})

def _known_hub(value: str) -> str:
    if value not in HUBS:
        raise PydanticCustomError("unknown_hub", "unknown hub '{value}'; one of: {keys}",
                                  {"value": value, "keys": ", ".join(HUBS)})
    return value


def _known_industry(value: str) -> str:
    if value not in INDUSTRIES:
        raise PydanticCustomError("unknown_industry", "unknown industry '{value}'; one of: {keys}",
                                  {"value": value, "keys": ", ".join(INDUSTRIES)})
    return value


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise PydanticCustomError("email", "not a valid e-mail address: {why}", {"why": str(exc)}) from None
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise PydanticCustomError("url", "not a valid http(s) URL")
    return value


# C0 and C1 control characters except tab, line feed and carriage return: NUL is refused by
# PostgreSQL and the others are junk no form can type.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What renders as nothing: white space, format characters (zero-width, direction marks, BOM, soft
# hyphen, tags), variation selectors, the Hangul fillers and the blank braille pattern.
_INVISIBLE = re.compile(
    r"[\s\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]*"
)


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_character", "must not contain control characters (such as NUL)")
    return value


def _visible(value: str) -> str:
    if _INVISIBLE.fullmatch(value):
        raise PydanticCustomError("invisible", "must contain visible characters, not only blank or invisible ones")
    return value


def _distinct(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError("duplicate_item", "'{value}' is listed twice", {"value": value})
        seen.add(value)
    return values


NoControl = AfterValidator(_no_control)
Visible = AfterValidator(_visible)
Text200 = Annotated[str, Field(min_length=1, max_length=200), NoControl, Visible]
LongText = Annotated[str, Field(max_length=4000), NoControl]
Item = Annotated[str, Field(min_length=1, max_length=MAX_ITEM_CHARS), NoControl, Visible]
HubKey = Annotated[str, AfterValidator(_known_hub)]
IndustryKey = Annotated[str, AfterValidator(_known_industry)]
Email = Annotated[str, Field(max_length=MAX_EMAIL_CHARS), NoControl, AfterValidator(_email)]
HttpUrl = Annotated[str, Field(max_length=MAX_URL_CHARS), NoControl, AfterValidator(_http_url)]
Certification = Annotated[str, Field(min_length=1, max_length=MAX_CERTIFICATION_CHARS), NoControl, Visible]


class ProfileIn(BaseModel):
    """A valid company profile: the fields every company has (see the two subclasses)."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, frozen=True)

    kind_fields: ClassVar[tuple[str, ...]] = ()

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN)]
    kind: Literal["manufacturer", "supplier"]
    name: Text200
    hub: HubKey
    language: Literal["ko", "en"] | None = None
    employees: Annotated[int, Field(ge=1, le=MAX_EMPLOYEES)] | None = None
    summary: Annotated[str, Field(max_length=200), NoControl] | None = None
    description: LongText | None = None
    contact_email: Email | None = None
    website: HttpUrl | None = None

    @model_validator(mode="after")
    def _fill_language(self) -> "ProfileIn":
        if self.language is None:
            object.__setattr__(self, "language", detect_language(*self._texts()))
        return self

    def _texts(self) -> list[str]:
        return [self.name, self.summary or "", self.description or ""]

    def to_record(self) -> dict[str, Any]:
        """The profile as a profile-format dict, empty optional fields left out."""
        return compact_record({name: getattr(self, name) for name in COMMON_FIELDS + self.kind_fields})


class ManufacturerIn(ProfileIn):
    """A manufacturer (demand side): an industry and the needs a DX project should solve."""

    kind_fields: ClassVar[tuple[str, ...]] = MANUFACTURER_FIELDS

    kind: Literal["manufacturer"]
    industry: IndustryKey
    needs: Annotated[list[Item], Field(min_length=1, max_length=MAX_ITEMS)]
    requires_security_certification: bool = False
    confidential_notes: LongText | None = None

    def _texts(self) -> list[str]:
        return [*super()._texts(), *self.needs]


class SupplierIn(ProfileIn):
    """A supplier (SW/AI firm): what it delivers, for which industries, with which certificates."""

    kind_fields: ClassVar[tuple[str, ...]] = SUPPLIER_FIELDS + SUPPLIER_EXTRA_FIELDS

    kind: Literal["supplier"]
    capabilities: Annotated[list[Item], Field(min_length=1, max_length=MAX_ITEMS)]
    industries_served: Annotated[list[IndustryKey], AfterValidator(_distinct)] = Field(default_factory=list)
    certifications: Annotated[list[Certification], AfterValidator(_distinct)] = Field(default_factory=list)
    references: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)
    # None: not stated (no limit); 0: takes no new introductions this month
    monthly_capacity: Annotated[int, Field(ge=0, le=MAX_MONTHLY_CAPACITY)] | None = None

    def _texts(self) -> list[str]:
        return [*super()._texts(), *self.capabilities, *self.references]


_PROFILE = TypeAdapter(Annotated[Union[ManufacturerIn, SupplierIn], Field(discriminator="kind")])


def compact_record(record: dict[str, Any]) -> dict[str, Any]:
    """Drop None, empty strings/lists and a false `requires_security_certification` (all defaults)."""
    return {
        key: (list(value) if isinstance(value, (list, tuple)) else value)
        for key, value in record.items()
        if value is not None and value != "" and value != [] and value != ()
        and not (key in BOOL_FIELDS and value is False)
    }


_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")


def whole_number(text: str) -> int | None:
    """A count as people type it ("1,200" or "1200") as an int, None when it is not one.

    Digits beyond any sensible count saturate (the range rule then reports them) instead of
    reaching int(), which refuses thousands of digits with an exception.
    """
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    digits = text.replace(",", "").lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else 10**18


def validate_profile(data: Any) -> ManufacturerIn | SupplierIn:
    """Check one profile against the contract; raise ValidationFailed listing every broken rule."""
    if not isinstance(data, dict):
        raise ValidationFailed("profile.not_an_object",
                               errors=[{"field": "-", "reason": f"expected an object, got {_json_type(data)}"}])
    try:
        return _PROFILE.validate_python(data)
    except ValidationError as exc:
        errors = [_describe(err, data) for err in exc.errors(include_url=False)]
        raise ValidationFailed("profile.invalid", errors=errors) from None


_KIND_OF_FIELD = {**{f: "manufacturer" for f in MANUFACTURER_FIELDS},
                  **{f: "supplier" for f in SUPPLIER_FIELDS + SUPPLIER_EXTRA_FIELDS}}


def _describe(err: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """Turn one pydantic error into {"field", "reason"} in words a coordinator understands."""
    loc = list(err["loc"])
    if loc and loc[0] in ("manufacturer", "supplier"):  # the discriminated-union tag
        loc = loc[1:]
    kind_, ctx = err["type"], err.get("ctx") or {}
    if kind_ in ("union_tag_invalid", "union_tag_not_found"):
        field = "kind"
        reason = "required" if "kind" not in data else f"must be 'manufacturer' or 'supplier', not {data['kind']!r}"
        return {"field": field, "reason": reason}
    field = str(loc[0]) if loc else "-"
    item = next((i for i in loc[1:] if isinstance(i, int)), None)
    prefix = f"item {item + 1}: " if item is not None else ""
    reason = _REASONS.get(kind_)
    if kind_ == "extra_forbidden":
        owner = _KIND_OF_FIELD.get(field)
        reason = f"only for a {owner}, not a {data.get('kind')}" if owner else "unknown field"
    elif kind_ in ("string_too_long", "too_long"):
        unit = "characters" if kind_ == "string_too_long" else "items"
        reason = f"at most {ctx.get('max_length')} {unit}"
    elif kind_ == "too_short":
        reason = f"at least {ctx.get('min_length')} item" + ("s" if ctx.get("min_length", 1) != 1 else "")
    elif kind_ == "string_pattern_mismatch":
        reason = "only the characters A-Z a-z 0-9 . _ - (1-64 of them)"
    elif kind_ == "greater_than_equal":
        reason = f"must be at least {ctx.get('ge')}"
    elif kind_ == "less_than_equal":
        reason = f"must be at most {ctx.get('le'):,}"
    elif kind_ == "literal_error":
        reason = f"must be {ctx.get('expected')}"
    elif reason is None:
        reason = err["msg"]
    return {"field": field, "reason": prefix + reason}


_REASONS = {
    "missing": "required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
    "list_type": "must be a list of strings",
    "string_too_short": "must not be empty",
}


def _json_type(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean",
            type(None): "null"}.get(type(value), type(value).__name__)


__all__ = [
    "ALL_FIELDS", "BOOL_FIELDS", "COMMON_FIELDS", "INT_FIELDS", "LIST_FIELDS", "MANUFACTURER_FIELDS",
    "SUPPLIER_EXTRA_FIELDS", "SUPPLIER_FIELDS", "ManufacturerIn", "ProfileIn", "SupplierIn", "compact_record", "detect_language",
    "validate_profile", "whole_number",
]
