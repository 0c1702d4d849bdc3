"""Items to and from plain JSON-ready dicts: the one place that checks an item field by field.

The store keeps items in this form, the publisher's source files are read into it, and the feed
carries it, so a wrong-typed field meets the same specific error whichever way it arrived.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from fieldreader.errors import ContentError
from fieldreader.model import (
    CONTACT_TYPES,
    COUNTRY_PATTERN,
    DEFAULT_LIMITS,
    KINDS,
    LANG_PATTERN,
    Article,
    ChecklistItem,
    Contact,
    ContentLimits,
    Guidance,
    Item,
    SecureChannel,
    check_limits,
    is_valid_id,
)

#: A Markdown task-list line; a checklist step must end with an explicit ``{#id}``.
TASK_LINE = re.compile(r"^\s{0,3}[-*+]\s+\[(?: |x|X)\]\s+(?P<rest>.*)$")
STEP_WITH_ID = re.compile(r"^(?P<text>.*?)\s*\{#(?P<id>[^}\s]*)\}\s*$")

_COMMON = {
    "id",
    "kind",
    "lang",
    "title",
    "summary",
    "body",
    "updated",
    "tags",
    "countries",
    "channel",
}
ALLOWED_FIELDS: dict[str, frozenset[str]] = {
    "article": frozenset(_COMMON | {"published", "authors", "source_url", "translation_group"}),
    "guidance": frozenset(_COMMON | {"translation_group"}),
    "contact": frozenset(
        _COMMON
        | {
            "contact_type",
            "role",
            "organisation",
            "phones",
            "emails",
            "addresses",
            "secure_channels",
            "region",
        }
    ),
}

T = TypeVar("T")


def parse_checklist(body: str, source: str) -> tuple[ChecklistItem, ...]:
    """The checklist steps of a guidance body, in order.

    Raises:
        ContentError: a task line has no ``{#id}``, an invalid id, or repeats an id.
    """
    steps: list[ChecklistItem] = []
    seen: set[str] = set()
    for number, line in enumerate(body.splitlines(), start=1):
        task = TASK_LINE.match(line)
        if not task:
            continue
        step = STEP_WITH_ID.match(task.group("rest"))
        if not step:
            raise ContentError(source, "body", f"line {number}: checklist step has no {{#id}}")
        step_id = step.group("id")
        if not is_valid_id(step_id):
            raise ContentError(source, "body", f"line {number}: invalid checklist id {step_id!r}")
        if step_id in seen:
            raise ContentError(source, "body", f"line {number}: checklist id {step_id!r} repeats")
        seen.add(step_id)
        steps.append(ChecklistItem(step_id, step.group("text").strip()))
    return tuple(steps)


def item_to_dict(item: Item) -> dict[str, Any]:
    """The item as JSON-ready data, keys as in :data:`ALLOWED_FIELDS`; empty fields left out."""
    out: dict[str, Any] = {}
    for name in sorted(ALLOWED_FIELDS[item.kind]):
        value = getattr(item, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif name == "secure_channels":
            value = [{"type": c.type, "value": c.value} for c in value]
        elif isinstance(value, tuple):
            value = list(value)
        if value in (None, "", []):
            continue
        out[name] = value
    out["kind"] = item.kind
    return out


def digest(item: Item) -> str:
    """A stable hash of the item's content, to tell an unchanged upsert from a real update."""
    canonical = json.dumps(item_to_dict(item), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def item_from_dict(
    data: Mapping[str, Any], source: str, limits: ContentLimits = DEFAULT_LIMITS
) -> Item:
    """Build and validate an item.

    Args:
        data: fields as in :data:`ALLOWED_FIELDS`.
        source: where the data came from (a file name, a feed object), named in errors.
        limits: size limits to enforce.

    Raises:
        ContentError: a field is missing, unknown, of the wrong type or invalid.
        LimitExceeded: the item is larger than ``limits`` allow.
    """
    f = _Fields(data, source)
    kind = f.choice("kind", KINDS)
    unknown = sorted(set(data) - ALLOWED_FIELDS[kind])
    if unknown:
        raise ContentError(source, unknown[0], f"unknown field for a {kind}")
    item_id = f.required("id", str)
    if not is_valid_id(item_id):
        raise ContentError(
            source,
            "id",
            "must be 1-128 of a-z 0-9 . _ - with no '..', starting and ending "
            "with a letter or digit",
        )
    common: dict[str, Any] = {
        "id": item_id,
        "lang": f.matching("lang", LANG_PATTERN, "a language tag such as en, fr, ar"),
        "title": f.text("title", required=True),
        "summary": f.text("summary"),
        "updated": f.date("updated"),
        "tags": f.texts("tags"),
        "countries": f.countries(),
        "channel": f.optional("channel", str) or "public",
    }
    if not is_valid_id(common["channel"]):
        raise ContentError(source, "channel", "must be an id such as 'public' or 'contacts-af'")
    item: Item
    if kind == "article":
        item = Article(
            **common,
            body=f.text("body"),
            published=f.date("published"),
            authors=f.texts("authors"),
            source_url=f.url("source_url"),
            translation_group=f.group(),
        )
    elif kind == "guidance":
        body = f.text("body")
        item = Guidance(
            **common,
            body=body,
            checklist=parse_checklist(body, source),
            translation_group=f.group(),
        )
    else:
        item = Contact(
            **common,
            contact_type=f.choice("contact_type", CONTACT_TYPES),
            role=f.text("role"),
            organisation=f.text("organisation"),
            phones=f.texts("phones"),
            emails=f.texts("emails"),
            addresses=f.texts("addresses"),
            secure_channels=f.channels(),
            region=f.text("region"),
            body=f.text("body"),
        )
    check_limits(item, limits)
    return item


class _Fields:
    """Typed access to untrusted mapping fields; every failure names the source and field."""

    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        if not isinstance(data, Mapping):
            raise ContentError(source, None, "expected a mapping of fields")
        self.data = data
        self.source = source

    def error(self, name: str, problem: str) -> ContentError:
        return ContentError(self.source, name, problem)

    def optional(self, name: str, typ: type[T]) -> T | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, typ) or (isinstance(value, bool) and typ is not bool):
            raise self.error(name, f"expected {_type_name(typ)}, got {_type_name(type(value))}")
        return value

    def required(self, name: str, typ: type[T]) -> T:
        value = self.optional(name, typ)
        if value is None or value == "":
            raise self.error(name, "is required")
        return value

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.required(name, str) if required else (self.optional(name, str) or "")
        _check_text(value, lambda problem: self.error(name, problem))
        return value

    def choice(self, name: str, options: tuple[T, ...]) -> T:
        value = self.required(name, str)
        if value not in options:
            raise self.error(name, f"must be one of {', '.join(map(str, options))}")
        return options[options.index(value)]

    def matching(self, name: str, pattern: re.Pattern[str], hint: str) -> str:
        value = self.required(name, str)
        if not pattern.fullmatch(value):
            raise self.error(name, f"{value[:40]!r} is not {hint}")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        values = self.optional(name, list) or []
        out = []
        for value in values:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise self.error(name, "expected a list of text")
            text = str(value).strip()
            _check_text(text, lambda problem: self.error(name, problem))
            if text:
                out.append(text)
        return tuple(out)

    def countries(self) -> tuple[str, ...]:
        codes = self.texts("countries")
        for code in codes:
            if not COUNTRY_PATTERN.fullmatch(code):
                raise self.error("countries", f"{code[:20]!r} is not a two-letter country code")
        return codes

    def date(self, name: str) -> date | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(name, "expected a date as YYYY-MM-DD")

    def url(self, name: str) -> str | None:
        value = self.optional(name, str)
        if value is None:
            return None
        if not re.fullmatch(r"https?://[^\s\x00-\x1f\\]+", value):
            raise self.error(name, "expected an http:// or https:// address")
        return value

    def group(self) -> str | None:
        value = self.optional("translation_group", str)
        if value is not None and not is_valid_id(value):
            raise self.error("translation_group", "must be an id like item ids")
        return value

    def channels(self) -> tuple[SecureChannel, ...]:
        values = self.optional("secure_channels", list) or []
        out = []
        for value in values:
            if not isinstance(value, Mapping) or set(value) != {"type", "value"}:
                raise self.error("secure_channels", "each entry needs exactly 'type' and 'value'")
            kind, text = value["type"], value["value"]
            if not isinstance(kind, str) or not isinstance(text, str | int) or not kind:
                raise self.error("secure_channels", "'type' and 'value' must be text")
            out.append(SecureChannel(kind, str(text)))
        return tuple(out)


#: C0 and C1 controls other than tab, line feed and carriage return: in a terminal they can
#: hide text, move the cursor or write to the clipboard (OSC 52).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _check_text(value: str, error: Callable[[str], ContentError]) -> None:
    # Lone surrogates cannot be stored as UTF-8; control characters are never content.
    control = _CONTROL.search(value)
    if control:
        raise error(f"contains the control character U+{ord(control.group()):04X}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise error("is not valid Unicode text") from None


def _type_name(typ: type) -> str:
    names = {
        str: "text",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        bool: "true/false",
    }
    return names.get(typ, typ.__name__)
