"""Every parser of untrusted input returns a value or raises its own error, whatever the bytes."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldreader.errors import ContentError
from fieldreader.feed import canonical
from fieldreader.feed.bundle import MAGIC, BundleSource, pack
from fieldreader.feed.errors import FeedError, MalformedMetadata
from fieldreader.feed.metadata import Envelope, Root, Segment, Snapshot, Timestamp
from fieldreader.feed.objects import decompress_capped
from fieldreader.source import split_front_matter
from fieldreader.store.errors import KeySlotsDamaged
from fieldreader.store.keyslots import decode as decode_keyslots

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@given(st.binary(max_size=300))
def test_canonical_parse_of_any_bytes(data: bytes) -> None:
    with contextlib.suppress(MalformedMetadata):
        canonical.parse(data, "input", 1000)


@given(json_values)
def test_canonical_roundtrip(value: Any) -> None:
    encoded = canonical.encode(value)
    assert canonical.parse(encoded, "input", len(encoded)) == value
    assert canonical.encode(canonical.parse(encoded, "input", len(encoded))) == encoded


def test_canonical_parse_refusals() -> None:
    for bad in [b'{"a":1,"a":2}', b"1.5", b"NaN", b"[" * 5000 + b"]" * 5000, b"\xff", b"{"]:
        with pytest.raises(MalformedMetadata):
            canonical.parse(bad, "input", 100_000)
    with pytest.raises(MalformedMetadata, match="nested too deeply"):
        canonical.parse(b"[" * 20 + b"]" * 20, "input", 1000)
    with pytest.raises(MalformedMetadata, match="over"):
        canonical.parse(b"[]" * 100, "input", 10)


PARSERS = [
    Envelope.from_json,
    Root.from_signed,
    Timestamp.from_signed,
    Snapshot.from_signed,
    Segment.from_json,
]


@settings(max_examples=200)
@given(json_values, st.sampled_from(range(len(PARSERS))))
def test_metadata_parsers_on_any_json(value: Any, which: int) -> None:
    parser = PARSERS[which]
    try:
        if which == 0:
            Envelope.from_json(value, "input")
        else:
            parser(value)  # type: ignore[operator]
    except FeedError:
        pass


@given(st.binary(max_size=200), st.integers(min_value=0, max_value=10_000))
def test_decompress_capped_on_any_bytes(data: bytes, size: int) -> None:
    with contextlib.suppress(FeedError):
        decompress_capped(data, size, "object")


def test_decompression_bomb_stops_at_the_cap() -> None:
    bomb = zstandard.ZstdCompressor(level=3).compress(b"\0" * 50_000_000)
    assert len(bomb) < 10_000
    with pytest.raises(FeedError, match="expands beyond"):
        decompress_capped(bomb, 1000, "object")


@given(st.binary(max_size=300))
def test_bundle_reader_on_any_bytes(data: bytes) -> None:
    for candidate in (data, MAGIC + b"\x01P" + data, MAGIC + b"\x01E" + data):
        with contextlib.suppress(FeedError):
            BundleSource(candidate, passphrase="x")


@given(st.lists(st.tuples(st.integers(-5, 100), st.integers(-5, 100)), max_size=4))
def test_bundle_table_with_hostile_offsets(rows: list[tuple[int, int]]) -> None:
    header = json.dumps(
        {"files": [[f"objects/aa/{'a' * 62}{i:02d}", o, n] for i, (o, n) in enumerate(rows)]}
    ).encode()
    data = MAGIC + b"\x01P" + len(header).to_bytes(4, "big") + header + b"x" * 50
    try:
        source = BundleSource(data)
    except FeedError:
        return
    for path in source.paths():
        assert len(source.fetch(path, 1000)) <= 50


def test_bundle_pack_refuses_paths_outside_the_format() -> None:
    with pytest.raises(FeedError):
        pack({"../../etc/passwd": b"x"})


@given(st.binary(max_size=400))
def test_keyslots_decode_on_any_bytes(data: bytes) -> None:
    with contextlib.suppress(KeySlotsDamaged):
        decode_keyslots(data)


@given(st.text(max_size=300))
def test_front_matter_on_any_text(text: str) -> None:
    with contextlib.suppress(ContentError):
        split_front_matter("---\n" + text, "x.md")
