"""A smaller ICU data library for the Linux build: Qt links ICU, the reader hardly uses it.

PySide6's Linux wheel links QtCore against ICU 7x, whose data library (``libicudata.so.NN``,
about 30 MB) holds every locale, collation, converter, time zone name and dictionary ICU knows.
Qt draws text with its own Unicode tables and HarfBuzz (shaping, bidi, line breaking), so a
reader that only lays out and paints text never opens an ICU data item: traced over the whole
desktop test suite and the self-test, with ICU told to look for its items in a folder first, it
asked for none. ICU data is reached only through QCollator, QTimeZone names and QLocale's
date formatting with time zones, and legacy QStringDecoder codecs, none of which the reader
calls today.

So the library is rebuilt with a small subset (:data:`KEEP`): the base locale data, collation
and time zone names for the languages of the content and the interface, and the converter
alias table, so that a later use of QCollator or QTimeZone still works in those languages.
Everything else ICU does without its data fails soft (an error code, an English name), not with
a crash. The library keeps its name, soname and one exported symbol (``icudtNN_dat``, the
package in ICU's "common data" format); only the package inside is smaller.

Run ``python packaging/icu_data.py list LIB`` to see what a library holds.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

LANGUAGES = ("root", "en", "fr", "es", "ar", "fa", "ps")
"""Locales kept: the content's languages and the interface's (and ICU's root fallback)."""

KEEP: tuple[str, ...] = (
    # Locale tree: what opening any locale reads (index, aliases, likely subtags, plural rules).
    "res_index.res",
    "pool.res",
    "likelySubtags.res",
    "keyTypeData.res",
    "supplementalData.res",
    "plurals.res",
    "ucadata.icu",
    "coll/ucadata.icu",
    "coll/res_index.res",
    "zone/res_index.res",
    "zone/pool.res",
    "zoneinfo64.res",
    "metaZones.res",
    "timezoneTypes.res",
    "windowsZones.res",
    "cnvalias.icu",
    *(f"{lang}.res" for lang in LANGUAGES),
    *(f"{lang}_*.res" for lang in LANGUAGES),
    *(f"coll/{lang}.res" for lang in LANGUAGES),
    *(f"zone/{lang}.res" for lang in LANGUAGES),
    *(f"zone/{lang}_*.res" for lang in LANGUAGES),
)
"""Item patterns kept, relative to the package (``coll/ar.res``)."""

_HEADER_MAGIC = (0xDA, 0x27)
_FORMAT = b"CmnD"
_ALIGN = 16


class IcuDataError(Exception):
    """The library is not what this tool knows how to rebuild."""


def read_package(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """Split an ICU common-data package into its header and its items (name -> bytes).

    Names keep the package prefix (``icudt73l/coll/ar.res``).
    """
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != _HEADER_MAGIC or data[12:16] != _FORMAT:
        raise IcuDataError("not an ICU common data package")
    (count,) = struct.unpack_from("<I", data, header_size)
    entries = [struct.unpack_from("<II", data, header_size + 4 + 8 * i) for i in range(count)]
    ends = [offset for _, offset in entries[1:]] + [len(data) - header_size]
    items: dict[str, bytes] = {}
    for (name_offset, data_offset), end in zip(entries, ends, strict=True):
        start = header_size + name_offset
        name = data[start : data.index(b"\0", start)].decode("ascii")
        items[name] = data[header_size + data_offset : header_size + end]
    return data[:header_size], items


def write_package(header: bytes, items: dict[str, bytes]) -> bytes:
    """An ICU common-data package with ``items``: a sorted table of contents (ICU looks items
    up by binary search), then each item on a 16-byte boundary."""
    names = sorted(items, key=lambda n: n.encode("ascii"))
    toc_size = 4 + 8 * len(names)
    name_offsets, blob = [], bytearray()
    for name in names:
        name_offsets.append(toc_size + len(blob))
        blob += name.encode("ascii") + b"\0"
    position = toc_size + len(blob)
    padding = -(len(header) + position) % _ALIGN
    blob += b"\0" * padding
    position += padding
    data_offsets, body = [], bytearray()
    for name in names:
        data_offsets.append(position + len(body))
        body += items[name]
        body += b"\0" * (-len(body) % _ALIGN)
    toc = struct.pack("<I", len(names)) + b"".join(
        struct.pack("<II", n, d) for n, d in zip(name_offsets, data_offsets, strict=True)
    )
    return header + toc + bytes(blob) + bytes(body)


def subset(items: dict[str, bytes], patterns: tuple[str, ...] = KEEP) -> dict[str, bytes]:
    kept = {}
    for name, value in items.items():
        relative = name.partition("/")[2]
        if any(fnmatch.fnmatchcase(relative, p) for p in patterns):
            kept[name] = value
    return kept


def _symbol(library: Path) -> tuple[str, int, int]:
    """The exported package symbol: name, file offset, size."""
    symbols = _run("readelf", "-W", "--dyn-syms", str(library))
    match = re.search(
        r"\s([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+OBJECT\s+GLOBAL\s+\S+\s+\d+\s+(icudt\d+_dat)$",
        symbols,
        re.MULTILINE,
    )
    if match is None:
        raise IcuDataError(f"{library.name} exports no icudtNN_dat package")
    address, size = int(match.group(1), 16), int(match.group(2), 0)
    sections = _run("readelf", "-W", "-S", str(library))
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            return match.group(3), address - section_address + section_offset, size
    raise IcuDataError(f"{library.name} has no .rodata section")


def read_library(library: Path) -> tuple[str, bytes]:
    name, offset, size = _symbol(library)
    return name, library.read_bytes()[offset : offset + size]


def build_library(original: Path, out: Path, patterns: tuple[str, ...] = KEEP) -> tuple[int, int]:
    """Write a copy of ``original`` (a ``libicudata.so.NN``) holding only the items matching
    ``patterns``; returns (items kept, items in the original).

    Needs binutils (objcopy, ld, readelf), as the build's strip step does.
    """
    symbol, package = read_library(original)
    header, items = read_package(package)
    kept = subset(items, patterns)
    soname = _soname(original)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / "package.dat").write_bytes(write_package(header, kept))
        # The package as the one exported object the ICU code looks for, as ICU's own build
        # makes it (genccode): read-only data, 16-byte aligned, with its size.
        (folder / "package.s").write_text(
            f".section .rodata\n.globl {symbol}\n.type {symbol}, %object\n"
            f'.balign {_ALIGN}\n{symbol}:\n.incbin "package.dat"\n.size {symbol}, .-{symbol}\n'
            '.section .note.GNU-stack,"",%progbits\n',
            encoding="ascii",
        )
        _run("as", "-o", str(folder / "package.o"), str(folder / "package.s"), cwd=folder)
        built = folder / soname
        _run("ld", "-shared", "-soname", soname, "-o", str(built), str(folder / "package.o"))
        shutil.copyfile(built, out)
    return len(kept), len(items)


def _soname(library: Path) -> str:
    match = re.search(
        r"SONAME\)\s+Library soname: \[([^\]]+)\]", _run("readelf", "-d", str(library))
    )
    if match is None:
        raise IcuDataError(f"{library.name} has no soname")
    return match.group(1)


def _run(*command: str, cwd: Path | None = None) -> str:
    tool = shutil.which(command[0])
    if tool is None:
        raise IcuDataError(f"{command[0]} is missing: install binutils")
    done = subprocess.run(  # noqa: S603 - fixed tools, arguments we built
        [tool, *command[1:]], check=True, capture_output=True, text=True, cwd=cwd
    )
    return done.stdout


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "list":
        _, items = read_package(read_library(Path(argv[1]))[1])
        for name, value in sorted(items.items(), key=lambda kv: len(kv[1])):
            print(f"{len(value):>10} {name}")
        print(f"{sum(map(len, items.values())):>10} in {len(items)} items")
        return 0
    if len(argv) == 3 and argv[0] == "build":
        kept, total = build_library(Path(argv[1]), Path(argv[2]))
        print(f"{argv[2]}: {kept} of {total} items, {Path(argv[2]).stat().st_size} bytes")
        return 0
    print("usage: icu_data.py list LIB | build LIB OUT", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
