"""The packaged app, built for real with PyInstaller (one folder) and run as field staff get it:
``--version``, ``--self-test``, the command line on a library made by the source install, the
desktop reader started to its unlocked list, and a trainer's build made from it. Also checks the
build keeps out what the spec leaves out, and that the package benchmark runs on it.

One build for the whole module (about 20 s); nothing here depends on how long anything takes.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from factories import FAST_KDF, PASSPHRASE
from fieldreader import __version__
from fieldreader.cli import run as cli
from fieldreader.sample import import_sample
from fieldreader.store import create_library
from provisionkit import make_kit, profile_text, write_profile

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "packaging" / "build.py"
BENCH_SCRIPT = ROOT / "bench" / "package_bench.py"
SELF_TEST_STEPS = ("library", "sample", "unlock", "search", "open", "render", "translations")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("package")
    command = [sys.executable, str(BUILD_SCRIPT), "--dist", str(where / "dist")]
    result = subprocess.run(
        [*command, "--work", str(where / "work")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"one-folder: {where / 'dist' / 'fieldreader'} "), result.stdout
    return where / "dist"


@pytest.fixture
def app(dist: Path) -> Path:
    return dist / "fieldreader" / "fieldreader"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A fresh home and temporary folder, no display and no Qt platform chosen: the app must
    manage on its own, as on a field laptop's first start from a terminal."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "FIELDREADER_PASSPHRASE")
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return {**clean, "HOME": str(home), "TMPDIR": str(tmp)}


def run(app: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(app), *args], capture_output=True, text=True, encoding="utf-8", env=env, check=False
    )


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, Path]:
    """A library written by the source install (its own OpenSSL), and its passphrase file."""
    data_dir = tmp_path / "library"
    with create_library(data_dir, PASSPHRASE, FAST_KDF) as opened:
        import_sample(opened)
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return data_dir, passphrase


def test_version(app: Path, env: dict[str, str]) -> None:
    result = run(app, "--version", env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"fieldreader {__version__}\n"


def test_self_test_passes_and_leaves_nothing(app: Path, env: dict[str, str]) -> None:
    result = run(app, "--self-test", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"fieldreader {__version__} self-test"
    for step in SELF_TEST_STEPS:
        assert any(line.startswith(f"ok {step}: ") for line in lines), (step, lines)
    assert "Argon2id (256 MiB, 3 passes)" in result.stdout
    assert "(offscreen)" in result.stdout
    assert lines[-1].startswith("self-test passed in ")
    assert list(Path(env["TMPDIR"]).iterdir()) == []


def test_the_command_line_opens_a_library_the_source_install_made(
    app: Path, env: dict[str, str], library: tuple[Path, Path]
) -> None:
    data_dir, passphrase = library

    result = run(
        app, "--data-dir", str(data_dir), "--passphrase-file", str(passphrase), "search",
        "Jalalabad", env=env,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "Save the Children" in result.stdout


def test_a_wrong_passphrase_is_refused_plainly(
    app: Path, env: dict[str, str], library: tuple[Path, Path], tmp_path: Path
) -> None:
    data_dir, _ = library
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n", encoding="utf-8")

    result = run(app, "--data-dir", str(data_dir), "--passphrase-file", str(wrong), "list", env=env)

    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert "not the passphrase" not in result.stdout + result.stderr


def test_the_desktop_reader_starts_and_unlocks(
    app: Path, env: dict[str, str], library: tuple[Path, Path]
) -> None:
    data_dir, passphrase = library
    env = {**env, "QT_QPA_PLATFORM": "offscreen"}

    result = run(
        app, "--startup-probe", "--data-dir", str(data_dir), "--passphrase-file", str(passphrase),
        env=env,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(" ")[0] for line in result.stdout.splitlines()] == ["shown", "unlocked"]
    assert "Traceback" not in result.stderr


def test_a_trainers_build_of_it_runs_portable(
    dist: Path, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fieldreader build`` on the real build (its own tests use a stand-in folder): the
    copy checks out with the profile and preload beside it, and leaves the home and temporary
    folders empty."""
    monkeypatch.delenv("FIELDREADER_BUNDLE_PASSPHRASE", raising=False)
    kit = make_kit(tmp_path / "kit")
    profile = write_profile(tmp_path / "desk", kit, profile_text(portable=True))
    stick = tmp_path / "stick" / "fieldreader"
    out, err = io.StringIO(), io.StringIO()
    code = cli(
        ["build", "--profile", str(profile), "--preload", str(kit.bundle), "--out", str(stick),
         "--app", str(dist / "fieldreader")],
        stdin=io.StringIO(""), stdout=out, stderr=err, kdf=FAST_KDF,
    )  # fmt: skip
    assert code == 0, err.getvalue()

    result = run(stick / "fieldreader", "--self-test", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    probe = run(
        stick / "fieldreader", "--startup-probe", env={**env, "QT_QPA_PLATFORM": "offscreen"}
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert probe.stdout.startswith("shown ")

    assert list(Path(env["HOME"]).iterdir()) == []
    assert list(Path(env["TMPDIR"]).iterdir()) == []
    assert not (stick / "fieldreader-data" / "library.keys").exists()


def test_the_build_carries_only_what_the_reader_uses(dist: Path) -> None:
    internal = dist / "fieldreader" / "_internal"
    names = {str(p.relative_to(internal)) for p in internal.rglob("*")}

    for unwanted in (
        "PySide6/QtNetwork.abi3.so",
        "PySide6/QtDBus.abi3.so",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6OpenGL.so.6",
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6/Qt/plugins/platformthemes",
        "PySide6/Qt/plugins/tls",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "libdbus-1.so.3",
        "libgtk-3.so.0",
        "fieldreader/resources/sample",
        "fieldreader/resources/demo-keys/snapshot.key",
        "fieldreader/resources/demo-keys/timestamp.key",
    ):
        assert unwanted not in names, unwanted
    assert not [n for n in names if "tkinter" in n or "zstandard/_cffi" in n]
    for wanted in (
        "fieldreader/resources/sample.frb",
        "fieldreader/resources/demo-keys/root.key",
        "fieldreader/resources/i18n/fieldreader_ar.qm",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/imageformats/libqgif.so",
    ):
        assert wanted in names, wanted
    translations = internal / "PySide6" / "Qt" / "translations"
    assert sorted(p.name for p in translations.iterdir()) == ["qtbase_ar.qm"]
    icu_data = next(internal.glob("PySide6/Qt/lib/libicudata.so.*"))
    assert icu_data.stat().st_size < 5 * 2**20, "the reduced ICU data library was not used"


def test_the_package_benchmark_runs_on_the_build(dist: Path, tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH_SCRIPT), "--quick", "--prebuilt", str(dist)]
    result = subprocess.run(
        [*command, "--out", str(tmp_path / "bench")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    for label in (
        "=== 1. build ===",
        "one-folder ",
        "one-folder: first screen shown",
        "one-folder: unlocked, list shown",
        "source install: --version",
        "key derivation alone (default Argon2id, median of 3):",
        "cold start, one-folder: ",
    ):
        assert label in result.stdout, (label, result.stdout)
    assert list((tmp_path / "bench").iterdir()) == []
