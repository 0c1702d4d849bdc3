"""Canonical JSON for signing, and a strict parser for untrusted metadata.

Canonical form: UTF-8, keys sorted by code point, no insignificant whitespace, no NaN or floats,
non-ASCII characters written as themselves. A signature covers the canonical bytes of the
``signed`` member, re-encoded from the parsed value, so harmless reformatting by a mirror does not
break signatures and nothing outside ``signed`` is trusted.
"""

from __future__ import annotations

import json
from typing import Any

from fieldreader.feed.errors import MalformedMetadata

MAX_DEPTH = 16


def encode(value: Any) -> bytes:  # noqa: ANN401 - any JSON value
    """The canonical bytes of ``value`` (dicts, lists, str, int, bool, None only)."""
    _check_canonical_types(value, 0)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _check_canonical_types(value: object, depth: int) -> None:
    if isinstance(value, dict | list) and depth + 1 > MAX_DEPTH:
        raise ValueError("nested too deeply for canonical JSON")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("canonical JSON keys must be strings")
            _check_canonical_types(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_canonical_types(item, depth + 1)
    elif isinstance(value, float):
        raise TypeError("canonical JSON has no floating-point numbers")
    elif not isinstance(value, str | int | bool | type(None)):
        raise TypeError(f"{type(value).__name__} is not a JSON value")


def parse(data: bytes, what: str, max_bytes: int) -> Any:  # noqa: ANN401 - any JSON value
    """Parse untrusted JSON, refusing anything a careful parser should.

    Args:
        data: the raw bytes.
        what: what is being parsed, for error messages ("timestamp", "index segment").
        max_bytes: refuse larger inputs before parsing them.

    Raises:
        MalformedMetadata: too large, not UTF-8, not JSON, duplicate keys, floats, NaN, or
            nested deeper than MAX_DEPTH.
    """
    if len(data) > max_bytes:
        raise MalformedMetadata(f"The {what} is {len(data):,} bytes, over {max_bytes:,}.")
    try:
        text = data.decode("utf-8")
        value = json.loads(
            text,
            object_pairs_hook=lambda pairs: _unique(pairs, what),
            parse_float=lambda _: _reject(what, "floating-point numbers"),
            parse_constant=lambda _: _reject(what, "NaN or Infinity"),
        )
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedMetadata(f"The {what} is not valid JSON.") from None
    except ValueError:
        # Integers beyond Python's digit limit (thousands of digits) are hostile, not data.
        raise MalformedMetadata(f"The {what} holds a number far too large.") from None
    except RecursionError:
        # The C parser gives up around a thousand levels; anything that deep is hostile.
        raise MalformedMetadata(f"The {what} is nested too deeply.") from None
    if _depth(value) > MAX_DEPTH:
        raise MalformedMetadata(f"The {what} is nested too deeply.")
    return value


def _depth(value: object) -> int:
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth + 1)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _unique(pairs: list[tuple[str, Any]], what: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedMetadata(f"The {what} repeats the key {key[:40]!r}.")
        result[key] = value
    return result


def _reject(what: str, thing: str) -> None:
    raise MalformedMetadata(f"The {what} contains {thing}, which the format does not allow.")
