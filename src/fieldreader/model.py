"""The content model: the three kinds of item a library holds.

Items are immutable values. The store keeps them; the publisher's source format and, later, the
signed feed produce them. Validation that does not depend on where an item came from lives here,
so every path into the library enforces the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from fieldreader.errors import LimitExceeded

Kind = Literal["article", "contact", "guidance"]
KINDS: tuple[Kind, ...] = ("article", "contact", "guidance")

ContactType = Literal["organisation", "person"]
CONTACT_TYPES: tuple[ContactType, ...] = ("organisation", "person")

#: Item and checklist ids travel in file names, URLs and feed paths: keep them boring.
ID_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?")
#: BCP 47-ish language tags as publishers write them: "en", "fa", "pt-BR", "zh-Hant".
LANG_PATTERN = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}")
#: ISO 3166-1 alpha-2 country codes, upper case.
COUNTRY_PATTERN = re.compile(r"[A-Z]{2}")

#: Languages written right to left (base subtag).
RTL_LANGUAGES = frozenset({"ar", "fa", "ps", "ur", "he", "ckb", "sd", "ug", "yi", "dv", "prs"})


@dataclass(frozen=True)
class ContentLimits:
    """Upper bounds on what one item may hold; anything larger is refused, never truncated."""

    max_body_bytes: int = 512 * 1024
    """Markdown body (or contact notes), UTF-8. Real articles are 3-60 KB; 512 KiB leaves room
    for long reports, and bounds the worst case of hostile Markdown (delimiter soup) to a few
    seconds of rendering, measured."""
    max_title_chars: int = 500
    max_summary_chars: int = 5_000
    max_list_entries: int = 200
    """Tags, countries, authors, phones, e-mails, addresses, channels, checklist items."""
    max_field_chars: int = 2_000
    """Any single short field: a tag, an address, a URL, a role."""


DEFAULT_LIMITS = ContentLimits()


def is_valid_id(value: str) -> bool:
    """True for ids that are safe as file names and URL parts (no separators, no '..')."""
    return bool(ID_PATTERN.fullmatch(value)) and ".." not in value


def is_rtl(lang: str) -> bool:
    """True when text in ``lang`` is laid out right to left."""
    return lang.split("-", 1)[0].lower() in RTL_LANGUAGES


@dataclass(frozen=True)
class ChecklistItem:
    """One tickable step of a guidance lesson; ``id`` stays stable across edits of ``text``."""

    id: str
    text: str


@dataclass(frozen=True)
class SecureChannel:
    """A way to reach a contact privately, e.g. ``SecureChannel("signal", "+93 70 000 0000")``."""

    type: str
    value: str


@dataclass(frozen=True)
class Article:
    id: str
    lang: str
    title: str
    body: str
    summary: str = ""
    published: date | None = None
    updated: date | None = None
    authors: tuple[str, ...] = ()
    source_url: str | None = None
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    translation_group: str | None = None
    channel: str = "public"
    kind: Kind = field(default="article", init=False)


@dataclass(frozen=True)
class Contact:
    id: str
    lang: str
    title: str
    """The organisation's or the person's name."""
    contact_type: ContactType
    role: str = ""
    organisation: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    secure_channels: tuple[SecureChannel, ...] = ()
    region: str = ""
    countries: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    body: str = ""
    """Free notes in Markdown."""
    summary: str = ""
    updated: date | None = None
    channel: str = "public"
    kind: Kind = field(default="contact", init=False)


@dataclass(frozen=True)
class Guidance:
    id: str
    lang: str
    title: str
    body: str
    summary: str = ""
    checklist: tuple[ChecklistItem, ...] = ()
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    updated: date | None = None
    translation_group: str | None = None
    channel: str = "public"
    kind: Kind = field(default="guidance", init=False)


Item = Article | Contact | Guidance


def check_limits(item: Item, limits: ContentLimits = DEFAULT_LIMITS) -> None:
    """Raise :class:`LimitExceeded` naming the item and field when ``item`` is too large."""
    body_bytes = len(item.body.encode("utf-8", "surrogatepass"))
    if body_bytes > limits.max_body_bytes:
        raise LimitExceeded(
            f"item '{item.id}': body is {body_bytes:,} bytes, over the limit of "
            f"{limits.max_body_bytes:,} bytes"
        )
    if len(item.title) > limits.max_title_chars:
        raise LimitExceeded(f"item '{item.id}': title is longer than {limits.max_title_chars}")
    if len(item.summary) > limits.max_summary_chars:
        raise LimitExceeded(f"item '{item.id}': summary is longer than {limits.max_summary_chars}")
    for name, values in _list_fields(item).items():
        if len(values) > limits.max_list_entries:
            raise LimitExceeded(
                f"item '{item.id}': {name} has {len(values)} entries, "
                f"over {limits.max_list_entries}"
            )
        for value in values:
            if len(value) > limits.max_field_chars:
                raise LimitExceeded(
                    f"item '{item.id}': an entry of {name} is over {limits.max_field_chars} chars"
                )


def _list_fields(item: Item) -> dict[str, tuple[str, ...]]:
    fields: dict[str, tuple[str, ...]] = {"tags": item.tags, "countries": item.countries}
    if isinstance(item, Article):
        fields["authors"] = item.authors
    elif isinstance(item, Contact):
        fields["phones"] = item.phones
        fields["emails"] = item.emails
        fields["addresses"] = item.addresses
        fields["secure_channels"] = tuple(c.value for c in item.secure_channels)
    else:
        fields["checklist"] = tuple(c.text for c in item.checklist)
    return fields
