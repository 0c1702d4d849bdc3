#!/usr/bin/env python3
"""Build the packaged reader with PyInstaller and print what it cost: time and size.

    python packaging/build.py                 one folder: dist/fieldreader/
    python packaging/build.py --onefile       one file:   dist/onefile/fieldreader
    python packaging/build.py --both          both

``make package`` runs ``--both``. PyInstaller's work files go under build/pyinstaller/ (kept
between runs, so a rebuild is faster; ``--clean`` starts over). Needs ``make install`` first
(the sample bundle and the compiled translations are build outputs), and on Linux binutils
(``strip``, and ``as``/``ld``/``readelf`` for the reduced ICU data library).

Prints one line per build, for people and for bench/package_bench.py:

    one-folder: dist/fieldreader 92.33 MB (88.05 MiB) built in 18.1 s
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "fieldreader.spec"
APP = "fieldreader"


def size_of(path: Path) -> int:
    """Bytes the build occupies (files' own sizes; a symbolic link counts as its link)."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_symlink() or p.is_file())


def describe(label: str, path: Path, seconds: float) -> str:
    size = size_of(path)
    return f"{label}: {path} {size / 1e6:.2f} MB ({size / 2**20:.2f} MiB) built in {seconds:.1f} s"


def build(
    *, onefile: bool, dist: Path, work: Path, clean: bool, spec_options: list[str]
) -> tuple[Path, float]:
    """Run PyInstaller on the spec; returns the built app (folder or file) and the seconds."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
    ]
    if clean:
        command.append("--clean")
    command += [str(SPEC), "--", *spec_options]
    if onefile:
        command.append("--onefile")
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - our own interpreter
    seconds = time.perf_counter() - started
    return dist / APP, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--onefile", action="store_true", help="only the one-file build")
    which.add_argument("--both", action="store_true", help="one folder and one file")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where builds go")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's files"
    )
    parser.add_argument("--clean", action="store_true", help="rebuild PyInstaller's caches")
    parser.add_argument("--full-icu", action="store_true", help="keep all of ICU's data (Linux)")
    parser.add_argument("--no-strip", action="store_true", help="keep debug symbols")
    args = parser.parse_args(argv)
    spec_options = [
        o for o, on in (("--full-icu", args.full_icu), ("--no-strip", args.no_strip)) if on
    ]
    variants = [(False, "one-folder", args.dist)] if not args.onefile else []
    if args.onefile or args.both:
        variants.append((True, "one-file", args.dist / "onefile"))
    for onefile, label, dist in variants:
        work = args.work / ("onefile" if onefile else "onedir")
        try:
            path, seconds = build(
                onefile=onefile, dist=dist, work=work, clean=args.clean, spec_options=spec_options
            )
        except subprocess.CalledProcessError as exc:
            print(f"{label}: PyInstaller failed (exit {exc.returncode})", file=sys.stderr)
            return 1
        print(describe(label, path, seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
