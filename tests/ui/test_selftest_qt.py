"""The self-test's Qt steps in the real reader widget, and ``fieldreader --self-test`` whole."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from factories import FAST_KDF, article
from fieldreader.cli import run
from fieldreader.selftest import EXIT_OK, RENDER_ITEM, run_self_test
from fieldreader.service import Page
from fieldreader.ui import selftest_qt

STEPS = ("library", "sample", "unlock", "search", "open", "render", "translations", "wipe")


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_every_step_passes_through_the_real_widgets(qtbot: QtBot, scratch: Path) -> None:
    out = io.StringIO()

    assert run_self_test(out, kdf=FAST_KDF) == EXIT_OK
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[1:-1]] == [f"ok {s}" for s in STEPS]
    render = lines[6]
    assert "right-to-left" in render
    assert "800x600 px" in render
    assert "(offscreen)" in render
    assert list(scratch.iterdir()) == []


def test_the_command_line_runs_it_in_place_of_a_command(qtbot: QtBot, scratch: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    untouched = scratch.parent / "library"

    code = run(["--data-dir", str(untouched), "--self-test"], stdout=out, stderr=err, kdf=FAST_KDF)

    assert code == 0, out.getvalue() + err.getvalue()
    assert out.getvalue().splitlines()[-1].startswith("self-test passed in ")
    assert not untouched.exists(), "the self-test must not touch the user's library"
    assert list(scratch.iterdir()) == []


def test_the_help_lists_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert "--self-test" in capsys.readouterr().out


def page(html: str, *, rtl: bool) -> Page:
    return Page(
        item=article(RENDER_ITEM),
        html=html,
        rtl=rtl,
        translations=[],
        bookmarked=False,
        position=None,
        notes=[],
    )


def test_show_page_reports_what_the_pane_holds(qtbot: QtBot) -> None:
    report = selftest_qt.show_page(page("<p>مرحبا بالعالم</p>", rtl=True))

    assert report.text == "مرحبا بالعالم"
    assert report.right_to_left
    assert (report.width, report.height) == selftest_qt.PANE_SIZE
    assert report.refused == 0
    assert report.platform == "offscreen"


def test_show_page_counts_a_load_the_pane_refused(qtbot: QtBot) -> None:
    report = selftest_qt.show_page(
        page('<p>text</p><img src="https://example.org/tracker.png">', rtl=False)
    )

    assert report.refused == 1
    assert not report.right_to_left


def test_translations_load_and_are_removed_again(qtbot: QtBot) -> None:
    app = selftest_qt.application()

    assert selftest_qt.load_translations("ar") == ["fieldreader", "qtbase"]
    assert app.layoutDirection().name == "LeftToRight"
    assert selftest_qt.load_translations("xx") == []
