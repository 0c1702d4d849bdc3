"""The publisher's source format (docs/content-format.md): files in, validated items out.

Read by ``fieldreader load-sample`` now and by the publisher later. Every problem is a
:class:`ContentError` naming the file and, where there is one, the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from fieldreader.errors import ContentError
from fieldreader.itemcodec import item_from_dict
from fieldreader.model import DEFAULT_LIMITS, ContentLimits, Item

MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")
#: A source file may hold a full-size body plus its front matter, no more.
MAX_FILE_BYTES = DEFAULT_LIMITS.max_body_bytes + 256 * 1024
_FENCE = "---"
#: libyaml's safe loader when PyYAML was built with it: 15 times faster on a large folder.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode_utf8(data: bytes, source: str) -> str:
    """Strictly decode ``data``; the error says where the first bad byte is."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(source, None, f"not valid UTF-8 (byte {exc.start})") from None
    return text.removeprefix("\ufeff")


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """Separate YAML front matter from the Markdown body.

    Raises:
        ContentError: no front matter, an unclosed block, invalid YAML or not a mapping.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        raise ContentError(source, None, "must start with a '---' line opening the front matter")
    for index in range(1, len(lines)):
        if lines[index].strip() == _FENCE:
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return parse_yaml_mapping(front, source), body.strip("\n") + "\n"
    raise ContentError(source, None, "the front matter has no closing '---' line")


def parse_yaml_mapping(text: str, source: str) -> dict[str, Any]:
    """Parse YAML that must be a mapping with text keys; aliases are refused.

    Aliases let a few hundred bytes expand into millions of list entries (the "billion laughs"),
    and nothing in our format needs them.
    """
    try:
        for token in yaml.scan(text, Loader=_LOADER):
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                raise ContentError(source, None, "YAML anchors and aliases are not allowed")
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, chosen above
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ContentError(source, None, f"invalid YAML{where}") from None
    if not isinstance(data, dict):
        raise ContentError(source, None, "expected a YAML mapping of fields")
    for key in data:
        if not isinstance(key, str):
            raise ContentError(source, str(key), "field names must be text")
    return data


def load_file(
    path: Path, source: str | None = None, limits: ContentLimits = DEFAULT_LIMITS
) -> Item:
    """Read one article, guidance or contact file."""
    name = source or path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ContentError(name, None, f"file is {size:,} bytes, over {MAX_FILE_BYTES:,}")
    text = decode_utf8(path.read_bytes(), name)
    if path.suffix.lower() in YAML_SUFFIXES:
        return contact_from_yaml(text, name, limits)
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        return item_from_markdown(text, name, limits)
    raise ContentError(name, None, "unknown file type (expected .md or .yaml)")


def item_from_markdown(text: str, source: str, limits: ContentLimits = DEFAULT_LIMITS) -> Item:
    fields, body = split_front_matter(text, source)
    if "body" in fields:
        raise ContentError(source, "body", "unknown field: the body follows the front matter")
    if fields.get("kind") == "contact":
        raise ContentError(source, "kind", "contacts are YAML files, not Markdown")
    return item_from_dict({**fields, "body": body}, source, limits)


def contact_from_yaml(text: str, source: str, limits: ContentLimits = DEFAULT_LIMITS) -> Item:
    fields = parse_yaml_mapping(text, source)
    for model_name in ("title", "body"):
        if model_name in fields:
            raise ContentError(source, model_name, "unknown field for a contact")
    if fields.get("kind") != "contact":
        raise ContentError(source, "kind", "a YAML file must be a contact ('kind: contact')")
    data = dict(fields)
    if "name" in data:
        data["title"] = data.pop("name")
    if "notes" in data:
        data["body"] = data.pop("notes")
    try:
        return item_from_dict(data, source, limits)
    except ContentError as exc:
        # Name the field as the publisher wrote it, not as the model calls it.
        field = {"title": "name", "body": "notes"}.get(exc.field or "", exc.field)
        raise ContentError(source, field, exc.problem) from None


def source_files(root: Path) -> Iterator[Path]:
    """Content files below ``root`` in a stable order, skipping hidden and draft files."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in MARKDOWN_SUFFIXES + YAML_SUFFIXES:
            yield path


def load_folder(root: Path, limits: ContentLimits = DEFAULT_LIMITS) -> list[Item]:
    """Every item below ``root``; ids must be unique across the folder."""
    if not root.is_dir():
        raise ContentError(str(root), None, "is not a folder")
    items: list[Item] = []
    seen: dict[str, str] = {}
    for path in source_files(root):
        name = path.relative_to(root).as_posix()
        item = load_file(path, name, limits)
        if item.id in seen:
            raise ContentError(name, "id", f"'{item.id}' is already used by {seen[item.id]}")
        seen[item.id] = name
        items.append(item)
    return items
