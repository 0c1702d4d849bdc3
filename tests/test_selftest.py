"""The self-test's core steps (its Qt steps are in tests/ui/test_selftest_qt.py): each step
reports, a failure names its step, and nothing is left in the temporary folder either way."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from factories import FAST_KDF
from fieldreader.sample import BUNDLE_NAME, package_resources
from fieldreader.selftest import EXIT_FAILED, EXIT_OK, run_self_test
from fieldreader.store import KdfParams

CORE_STEPS = ("library", "sample", "unlock", "search", "open", "wipe")


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the self-test's temporary folder goes, so a test can see what it left."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def self_test(**options: object) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_self_test(out, kdf=options.pop("kdf", FAST_KDF), qt=False, **options)  # type: ignore[arg-type]
    return code, out.getvalue().splitlines()


def test_every_core_step_passes_and_the_folder_is_gone(scratch: Path) -> None:
    code, lines = self_test()

    assert code == EXIT_OK, lines
    assert lines[0].startswith("fieldreader ")
    assert lines[0].endswith(" self-test")
    assert [line.split(":")[0] for line in lines[1:-1]] == [f"ok {s}" for s in CORE_STEPS]
    assert lines[-1].startswith("self-test passed in ")
    assert "55 items imported" in lines[2]
    assert "'Jalalabad'" in lines[4]
    assert "'delegacion' 1" in lines[4]
    assert list(scratch.iterdir()) == []


def test_the_real_key_derivation_cost_is_the_default(scratch: Path) -> None:
    out = io.StringIO()
    run_self_test(out, kdf=KdfParams(opslimit=1, memlimit=8 * 1024 * 1024), qt=False)
    assert "Argon2id (8 MiB, 1 passes)" in out.getvalue()


def test_a_missing_sample_bundle_fails_at_its_step(scratch: Path, tmp_path: Path) -> None:
    code, lines = self_test(sample=tmp_path / "absent.frb")

    assert code == EXIT_FAILED
    assert lines[-2].startswith("FAILED sample: The sample library bundle is not built")
    assert lines[-1] == "self-test failed at step 'sample'"
    assert "ok library" in lines[1]
    assert list(scratch.iterdir()) == [], "a failed run must still wipe its library"


def test_a_tampered_sample_bundle_fails_verification(scratch: Path, tmp_path: Path) -> None:
    bundle = tmp_path / BUNDLE_NAME
    shutil.copyfile(package_resources() / BUNDLE_NAME, bundle)
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bundle.write_bytes(bytes(data))

    code, lines = self_test(sample=bundle)

    assert code == EXIT_FAILED
    assert lines[-2].startswith("FAILED sample: ")
    assert lines[-1] == "self-test failed at step 'sample'"
    assert not any(line.startswith("ok search") for line in lines)
    assert list(scratch.iterdir()) == []


def test_a_key_derivation_the_store_refuses_fails_the_first_step(scratch: Path) -> None:
    code, lines = self_test(kdf=KdfParams(opslimit=0, memlimit=8 * 1024))

    assert code == EXIT_FAILED
    assert lines[1].startswith("FAILED library: ")
    assert lines[-1] == "self-test failed at step 'library'"
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    "module", ["fieldreader.selftest", "fieldreader.launcher", "fieldreader.cli"]
)
def test_the_core_side_imports_no_qt(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')]; "
        "sys.exit(', '.join(loaded) or None)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
