#!/usr/bin/env python3
"""What the packaged app costs: build time, size on disk, and how fast it starts.

1. **Build**: ``packaging/build.py --both`` into the output folder, timed; the one-folder build's
   size (every file's own size, links as links) and the one-file build's size.
2. **Start**: each build is started as a fresh process, ``--rounds`` times, interleaved:
   ``--version`` (Python and the command line, no Qt), and ``--startup-probe`` on a library of
   the sample sealed with the default Argon2id: wall time from spawning the process to the
   first screen painted ("shown": the cold start), and to the unlocked list painted
   ("unlocked": the cold start plus the key derivation, the SQLCipher open and the first
   list). The same run of the source install (``python -m fieldreader.launcher``) is the
   baseline, and the key derivation is timed alone, so "unlocked - key derivation" is what
   the app adds to it.

The library is unlocked on Qt's offscreen platform (no display here), so the figures leave out
what connecting to a real display costs. The page cache is warm after the first round: the first
round is printed apart from the median. Figures only; the issue's targets are printed beside
them. ``--quick`` (one round, the one-folder build only) is the smoke test's run;
``--prebuilt DIR`` measures builds already made by ``packaging/build.py --dist DIR``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nacl.pwhash

from fieldreader.sample import import_sample
from fieldreader.store import DEFAULT_KDF, create_library, wipe_library

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BUILD_SCRIPT = ROOT / "packaging" / "build.py"
DEFAULT_OUT_PARENT = BENCH_DIR / "out"
PASSPHRASE = "package bench passphrase, not a secret"  # noqa: S105 - a throwaway library
TARGET_ONEDIR_MB = 100
TARGET_ONEFILE_MB = 45
TARGET_START_S = 1.0
_BUILT = re.compile(
    r"^(one-folder|one-file): (.+) ([\d.]+) MB \(([\d.]+) MiB\) built in ([\d.]+) s$"
)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Build:
    label: str
    path: Path
    size: int
    seconds: float | None
    """Build time, when this run built it."""

    @property
    def program(self) -> list[str]:
        return [str(self.path / "fieldreader" if self.path.is_dir() else self.path)]


@dataclass
class Starts:
    version: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)
    unlocked: list[float] = field(default_factory=list)
    exited: list[float] = field(default_factory=list)


def size_of(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_symlink() or p.is_file())


def build_app(dist: Path, work: Path, *, onefile: bool) -> list[Build]:
    progress("building one folder" + (" and one file" if onefile else "") + " ...")
    which = ["--both"] if onefile else []
    command = [sys.executable, str(BUILD_SCRIPT), *which, "--dist", str(dist), "--work", str(work)]
    done = subprocess.run(  # noqa: S603 - our interpreter, our script
        command,
        capture_output=True,
        text=True,
        check=True,
    )
    builds = []
    for line in done.stdout.splitlines():
        match = _BUILT.match(line)
        if match:
            path = Path(match.group(2))
            builds.append(Build(match.group(1), path, size_of(path), float(match.group(5))))
    return builds


def prebuilt(dist: Path, *, onefile: bool) -> list[Build]:
    builds = [Build("one-folder", dist / "fieldreader", size_of(dist / "fieldreader"), None)]
    single = dist / "onefile" / "fieldreader"
    if onefile and single.is_file():
        builds.append(Build("one-file", single, size_of(single), None))
    return builds


def make_library(folder: Path) -> tuple[Path, Path]:
    data_dir = folder / "library"
    with create_library(data_dir, PASSPHRASE, DEFAULT_KDF) as library:
        import_sample(library)
    passphrase_file = folder / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return data_dir, passphrase_file


def child_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp))
    return env


def time_version(program: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([*program, "--version"], env=env, capture_output=True, check=True)  # noqa: S603
    return time.perf_counter() - started


def time_probe(
    program: list[str], data_dir: Path, passphrase_file: Path, env: dict[str, str]
) -> tuple[float, float, float]:
    """Seconds from spawning to "shown", to "unlocked", and to the process's exit."""
    command = [*program, "--startup-probe", "--data-dir", str(data_dir)]
    command += ["--passphrase-file", str(passphrase_file)]
    marks: dict[str, float] = {}
    started = time.perf_counter()
    with subprocess.Popen(  # noqa: S603
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            marks[line.split(" ")[0]] = time.perf_counter() - started
        code = child.wait()
    exited = time.perf_counter() - started
    if code != 0 or "unlocked" not in marks:
        raise RuntimeError(f"{command[0]} --startup-probe failed (exit {code}): {sorted(marks)}")
    return marks["shown"], marks["unlocked"], exited


def time_kdf(rounds: int) -> float:
    salt = os.urandom(nacl.pwhash.argon2id.SALTBYTES)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        nacl.pwhash.argon2id.kdf(
            32,
            PASSPHRASE.encode(),
            salt,
            opslimit=DEFAULT_KDF.opslimit,
            memlimit=DEFAULT_KDF.memlimit,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def first_and_median(values: list[float]) -> str:
    return f"{values[0]:6.2f} {statistics.median(values):8.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="starts per build (default 5)")
    parser.add_argument("--quick", action="store_true", help="one round, one-folder build only")
    parser.add_argument("--prebuilt", type=Path, help="measure the builds in this dist folder")
    parser.add_argument("--out", type=Path, help="work folder (default: under bench/out/)")
    parser.add_argument("--keep", action="store_true", help="leave the builds and the library")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else max(1, args.rounds)
    if args.out is None:
        DEFAULT_OUT_PARENT.mkdir(parents=True, exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix="package-", dir=DEFAULT_OUT_PARENT))
    else:
        out = args.out
        out.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, out, rounds)
    finally:
        if not args.keep:
            clean(out, remove_folder=args.out is None)


def clean(out: Path, *, remove_folder: bool) -> None:
    """Remove what this run made (and nothing else of a folder given with --out)."""
    wipe_library(out / "library")
    for name in ("dist", "work", "tmp"):
        shutil.rmtree(out / name, ignore_errors=True)
    (out / "passphrase").unlink(missing_ok=True)
    if remove_folder:
        out.rmdir()


def run(args: argparse.Namespace, out: Path, rounds: int) -> int:
    if args.prebuilt is not None:
        builds = prebuilt(args.prebuilt, onefile=not args.quick)
    else:
        builds = build_app(out / "dist", out / "work", onefile=not args.quick)
    tmp = out / "tmp"
    tmp.mkdir(exist_ok=True)
    env = child_env(tmp)
    progress("creating the sample library (default Argon2id) ...")
    data_dir, passphrase_file = make_library(out)
    source = Build("source install", ROOT, 0, None)
    runs: list[tuple[Build, list[str]]] = [(b, b.program) for b in builds]
    runs.append((source, [sys.executable, "-m", "fieldreader.launcher"]))
    starts = {b.label: Starts() for b, _ in runs}
    for number in range(rounds):
        progress(f"round {number + 1} of {rounds} ...")
        for build, program in runs:
            figures = starts[build.label]
            figures.version.append(time_version(program, env))
            shown, unlocked, exited = time_probe(program, data_dir, passphrase_file, env)
            figures.shown.append(shown)
            figures.unlocked.append(unlocked)
            figures.exited.append(exited)
    kdf = time_kdf(3)

    print("=== 1. build ===")
    for build in builds:
        when = f"{build.seconds:.1f} s" if build.seconds is not None else "not built in this run"
        target = TARGET_ONEDIR_MB if build.label == "one-folder" else TARGET_ONEFILE_MB
        print(
            f"{build.label:10} {build.size / 1e6:7.2f} MB ({build.size / 2**20:.2f} MiB)"
            f"  target <= {target} MB  build time {when}"
        )
    print(f"=== 2. start, seconds from spawning the process (first round, median of {rounds}) ===")
    print(f"{'':38} {'first':>6} {'median':>8}")
    for build, _ in runs:
        figures = starts[build.label]
        print(f"{build.label + ': --version':38} {first_and_median(figures.version)}")
        print(f"{build.label + ': first screen shown':38} {first_and_median(figures.shown)}")
        print(f"{build.label + ': unlocked, list shown':38} {first_and_median(figures.unlocked)}")
        print(f"{build.label + ': process ended':38} {first_and_median(figures.exited)}")
    print(f"key derivation alone (default Argon2id, median of 3): {kdf:.2f} s")
    print("=== summary ===")
    for build, _ in runs:
        figures = starts[build.label]
        shown = statistics.median(figures.shown)
        unlocked = statistics.median(figures.unlocked)
        print(
            f"cold start, {build.label}: {shown:.2f} s to the first screen, {unlocked:.2f} s "
            f"to the unlocked list = {unlocked - kdf:.2f} s + key derivation {kdf:.2f} s "
            f"(target <= {TARGET_START_S:.0f} s + key derivation)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
