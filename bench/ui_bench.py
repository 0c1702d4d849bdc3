#!/usr/bin/env python3
"""What the desktop reader costs a person waiting for it: starting, opening, searching.

1. **Cold start**: a fresh interpreter starts the reader through its own entry point (the
   ``--startup-probe`` start-up, on Qt's offscreen platform) on the sample library, types the
   passphrase into the unlock screen and waits until the unlocked window has painted its first
   list; wall time from spawning the process to the probe's line, peak RSS. The baseline, in the
   same run, is a fresh process showing a bare ``QMainWindow`` with a ``QTextBrowser`` and
   50 KB of HTML. Run on a library sealed with the default Argon2id and on one with the cheapest
   key derivation, so the key derivation's time and memory can be told from the app's.
2. **Opening a 50 KB article** (English and Arabic) in the window: from ``open_item`` to the
   page painted, against a bare Markdown + nh3 + ``QTextBrowser`` pipeline on the same text,
   interleaved in the same process.
3. **Search at scale**: a fresh process unlocks a library of ``--articles`` synthetic articles
   (those of ``store_bench.py``), then for each query types all but its last character, waits
   for those results and ``KEY_GAP_MS`` since that key, and times the last keystroke to the
   results painted in the list. The time from the search's start (on the worker) to the paint
   is shown too, and the core ``search()`` alone on the worker as the baseline. Peak RSS of
   that process.

Figures and ratios only; the issue's targets are printed beside them and nothing fails on
time. Run ``python bench/ui_bench.py --help`` for the options; ``--quick`` is the smoke test's
run. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fieldreader.model import Article
from fieldreader.store import (
    DEFAULT_KDF,
    KdfParams,
    LibraryPaths,
    create_library,
    keyslots,
)
from store_bench import Corpus, Vocabulary, build_queries, build_vocabularies

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT_PARENT = BENCH_DIR / "out"
DEFAULT_ARTICLES = 100_000
QUICK_ARTICLES = 2_000
DEFAULT_REPEATS = 5
QUICK_REPEATS = 2
DEFAULT_OPENS = 20
QUICK_OPENS = 3
DEFAULT_QUERIES = 40
QUICK_QUERIES = 6
DEFAULT_SEED = 2024
BATCH_SIZE = 1_000
ARTICLE_BYTES = 50_000
PASSPHRASE = "bench passphrase: not secret"  # noqa: S105 - throwaway synthetic libraries
#: The cheapest key derivation libsodium accepts: for libraries whose unlock is not measured.
FAST_KDF = KdfParams(opslimit=1, memlimit=8192)
CHILD_TIMEOUT_S = 1_800
WAIT_S = 600.0
WAKE_MS = 5
KEY_GAP_MS = 150
"""The time between the last two keys typed: a fast typist's (80 words a minute). Keys closer
than the window's ``SEARCH_DELAY_MS`` would be a burst, searched once the burst ends."""
MIB = 1024 * 1024

# The targets. Printed beside the figures, never enforced.
TARGET_OPEN_MS = 40.0
TARGET_START_S = 0.4  # plus the key derivation
TARGET_KEYSTROKE_P95_MS = 100.0
TARGET_RSS_SAMPLE_MIB = 120.0
TARGET_RSS_LARGE_MIB = 250.0

ARTICLE_EN = "bench-50kb-en"
ARTICLE_AR = "bench-50kb-ar"


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator > 0 else "n/a"


def peak_rss_mib() -> float:
    """This process's peak resident set.

    On Linux from ``VmHWM``: ``ru_maxrss`` survives ``exec``, so a child would report its
    parent's peak if that was higher.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024


def cached_share(path: Path) -> float | None:
    """How much of ``path`` the operating system holds in its page cache (0 to 1), or None
    where that cannot be told (Linux only, through ``mincore``).

    A search reads the full-text index from the file: with the file in the cache it costs
    microseconds a page, from disk (after a reboot, or once the system needed the memory) a
    disk read. The figures mean little without saying which of the two was measured."""
    if sys.platform != "linux" or not path.is_file() or path.stat().st_size == 0:
        return None
    import ctypes  # noqa: PLC0415 - Linux only
    import mmap  # noqa: PLC0415

    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    libc = ctypes.CDLL(None, use_errno=True)
    resident = (ctypes.c_ubyte * pages)()
    # A private mapping, so ctypes may take its address; nothing is read or written through it.
    with path.open("rb") as file, mmap.mmap(file.fileno(), size, access=mmap.ACCESS_COPY) as mapped:
        start = ctypes.c_char.from_buffer(mapped)
        try:
            failed = libc.mincore(
                ctypes.c_void_p(ctypes.addressof(start)), ctypes.c_size_t(size), resident
            )
        finally:
            del start  # the mapping cannot close while ctypes holds it
    if failed:
        return None
    return sum(byte & 1 for byte in resident) / pages


# --- Content ------------------------------------------------------------------------------------


def long_article(vocab: Vocabulary, size: int, seed: int) -> str:
    """Markdown of about ``size`` bytes shaped like a long report: headings, paragraphs with
    emphasis and links, lists and quotes."""
    rng = random.Random(f"article-{vocab.lang}-{seed}")

    def words(low: int, high: int) -> list[str]:
        return rng.choices(vocab.words, cum_weights=vocab.cum_weights, k=rng.randint(low, high))

    def sentence() -> str:
        chosen = words(8, 22)
        if rng.random() < 0.2:
            at = rng.randrange(len(chosen))
            chosen[at] = f"**{chosen[at]}**"
        if rng.random() < 0.1:
            at = rng.randrange(len(chosen))
            chosen[at] = f"[{chosen[at]}](https://example.org/{vocab.lang}/{rng.randrange(999)})"
        return " ".join(chosen) + "."

    parts = [f"# {' '.join(words(5, 9))}"]
    total = 0
    section = 0
    while total < size:
        if section % 6 == 0:
            parts.append(f"## {' '.join(words(3, 7))}")
        kind = rng.random()
        if kind < 0.12:
            block = "\n".join(f"- {' '.join(words(4, 12))}" for _ in range(rng.randint(3, 6)))
        elif kind < 0.18:
            block = "> " + sentence()
        else:
            block = " ".join(sentence() for _ in range(rng.randint(3, 7)))
        parts.append(block)
        total += len(block.encode()) + 2
        section += 1
    return "\n\n".join(parts) + "\n"


def bench_articles(vocabularies: dict[str, Vocabulary], seed: int) -> list[Article]:
    return [
        Article(
            id=item_id,
            lang=lang,
            title=f"50 KB article ({lang})",
            body=long_article(vocabularies[lang], ARTICLE_BYTES, seed),
            summary="A long report for the benchmark.",
            published=date(2024, 3, 8),
        )
        for item_id, lang in ((ARTICLE_EN, "en"), (ARTICLE_AR, "ar"))
    ]


def bare_html(markdown_text: str) -> str:
    """The bare pipeline: CommonMark to HTML, then nh3 with its defaults."""
    import nh3  # noqa: PLC0415 - only the baseline needs them bare
    from markdown_it import MarkdownIt  # noqa: PLC0415

    return nh3.clean(MarkdownIt("commonmark").render(markdown_text))


def build_large_library(
    folder: Path, size: int, vocabularies: dict[str, Vocabulary], seed: int
) -> None:
    marker = folder / "articles.txt"
    if marker.is_file() and marker.read_text() == str(size):
        progress(f"reusing the library of {size:,} articles in {folder}")
        return
    if folder.exists():
        shutil.rmtree(folder)
    progress(f"building a library of {size:,} articles (not measured)")
    began = time.perf_counter()
    corpus = Corpus(size, seed, vocabularies, set())
    with create_library(folder / "library", PASSPHRASE, FAST_KDF) as library:
        for batch in corpus.batches(BATCH_SIZE):
            library.content.apply(batch)
            if corpus.stats.articles % 20_000 == 0:
                progress(f"  {corpus.stats.articles:,} articles")
    marker.write_text(str(size))
    progress(f"built in {time.perf_counter() - began:.0f} s")


# --- Child processes ----------------------------------------------------------------------------
# Each runs in a fresh interpreter (``--child KIND``) and prints one JSON line on stdout.


def _qt_wait(app: Any, done: Callable[[], bool], what: str) -> None:  # noqa: ANN401 - QApplication
    """Run the event loop until ``done()``, as an idle reader's loop runs: blocked in Qt until
    an event arrives (the worker's results are queued signals), not polling. A poll every half
    millisecond takes the interpreter lock 2,000 times a second: measured apart, the 40 typed
    queries searched on a worker thread ran 6-15% slower at the median beside such a poll than
    beside a blocked thread. A timer wakes the loop now and then, for conditions no event
    announces."""
    from PySide6.QtCore import QEventLoop, QTimer  # noqa: PLC0415

    waker = QTimer()
    waker.start(WAKE_MS)
    deadline = time.monotonic() + WAIT_S
    try:
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        waker.stop()


def child_bare_window(html_file: Path) -> dict[str, float]:
    """Python, Qt Widgets, a main window with a QTextBrowser showing 50 KB of HTML, painted."""
    from PySide6.QtWidgets import QApplication, QMainWindow, QTextBrowser  # noqa: PLC0415

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    browser = QTextBrowser(window)
    window.setCentralWidget(browser)
    window.resize(1200, 780)
    browser.setHtml(html_file.read_text(encoding="utf-8"))
    window.show()
    app.processEvents()
    window.repaint()
    ready = time.time()
    return {"ready": ready, "peak_rss_mib": peak_rss_mib()}


def _open_window(data_dir: Path) -> tuple[Any, Any, dict[str, float]]:
    """The real app up to its unlocked window with the first section listed and painted."""
    marks: dict[str, float] = {}
    from fieldreader.ui.app import make_application  # noqa: PLC0415
    from fieldreader.ui.main_window import MainWindow  # noqa: PLC0415

    marks["imported"] = time.time()
    app = make_application([sys.argv[0]], "en")
    window = MainWindow(data_dir)
    window.resize(1200, 780)
    window.show()
    window.start()
    app.processEvents()
    marks["unlock_shown"] = time.time()
    events: dict[str, float] = {}
    window.unlocked.connect(lambda: events.setdefault("unlocked", time.time()))
    window.results_shown.connect(lambda _n: events.setdefault("listed", time.time()))
    window.unlock_panel.passphrase.setText(PASSPHRASE)
    marks["unlock_requested"] = time.time()
    window.unlock_panel.button.click()
    _qt_wait(app, lambda: "listed" in events, "the first list")
    window.repaint()
    marks["ready"] = time.time()
    marks["rows_listed"] = window.model.rowCount()
    marks.update(events)
    return app, window, marks


def child_app_search(data_dir: Path, queries_file: Path) -> dict[str, Any]:
    """Cold start on the large library, then the last keystroke of each query to its results."""
    app, window, marks = _open_window(data_dir)
    result: dict[str, Any] = dict(marks)
    result["rss_after_start_mib"] = peak_rss_mib()
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    field_ = window.search_field
    field_.setFocus()
    events: dict[str, float] = {}
    window.results_shown.connect(lambda _n: events.__setitem__("results", time.perf_counter()))

    service = window.service
    assert service is not None
    core_runs: list[tuple[float, float]] = []
    search = service.search

    def timed_search(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - passes through
        """The core search the window runs, timed where it runs (on the worker)."""
        began = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            core_runs.append((began, time.perf_counter()))

    service.search = timed_search

    def idle() -> bool:
        return not window.worker.busy() and not window.search_hits_pending()

    keystroke: list[float] = []
    from_search: list[float] = []
    core: list[float] = []
    hits: list[int] = []
    for query in queries:
        field_.setText(query[:-1])
        next_key = time.perf_counter() + KEY_GAP_MS / 1000
        _qt_wait(app, idle, "the search before the last keystroke")
        _qt_wait(app, partial(_reached, next_key), "the next key")
        app.processEvents()
        events.clear()
        core_runs.clear()
        began = time.perf_counter()
        _type_key(field_, query[-1])
        _qt_wait(app, lambda: "results" in events and idle(), "the results")
        window.item_list.viewport().repaint()
        painted = time.perf_counter()
        keystroke.append((painted - began) * 1000)
        search_began, search_ended = core_runs[-1]
        from_search.append((painted - search_began) * 1000)
        core.append((search_ended - search_began) * 1000)
        hits.append(window.model.rowCount())
    result.update(
        keystroke_ms=keystroke,
        from_search_ms=from_search,
        core_ms=core,
        hits=hits,
        peak_rss_mib=peak_rss_mib(),
    )
    window.close()
    app.processEvents()
    return result


def _reached(moment: float) -> bool:
    return time.perf_counter() >= moment


def _type_key(field_: Any, char: str) -> None:  # noqa: ANN401 - a QLineEdit
    """Type ``char`` into ``field_`` as a keyboard whose layout has it sends it.

    ``QTest.keyClick`` maps a character through Latin-1 (an Arabic letter arrives as "Ù"), so
    the key goes in as its text.
    """
    from PySide6.QtCore import Qt  # noqa: PLC0415
    from PySide6.QtTest import QTest  # noqa: PLC0415

    before = field_.text()
    key, modifier = Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier
    QTest.sendKeyEvent(QTest.KeyAction.Click, field_, key, char, modifier)
    if field_.text() != before + char:
        raise SystemExit(f"typing {char!r} after {before!r} gave {field_.text()!r}")


def _on_worker(app: Any, window: Any, call: Callable[[], object], what: str) -> float:  # noqa: ANN401
    """Milliseconds ``call`` takes on the window's worker thread (the thread owning the
    library), waited for without blocking the event loop."""
    done: list[float] = []

    def timed() -> float:
        began = time.perf_counter()
        call()
        return (time.perf_counter() - began) * 1000

    window.worker.submit(timed, done.append)
    _qt_wait(app, lambda: bool(done), what)
    return done[0]


def run_child(*args: str) -> tuple[dict[str, Any], float, float]:
    """Run this script as a child; returns its JSON, the spawn time and the exit time."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_LOGGING_RULES": "*.debug=false"}
    spawned = time.time()
    proc = subprocess.run(  # noqa: S603 - this script, this interpreter
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    ended = time.time()
    if proc.returncode != 0:
        raise SystemExit(f"child {args[0]} failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), spawned, ended


PROBE_CHILD = """
import sys
from fieldreader.ui.startup_probe import main
code = main(sys.argv[1:])
hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print("peak-rss-kib", hwm[0] if hwm else 0, flush=True)
sys.exit(code)
"""
"""The reader started as a person starts it (``fieldreader --startup-probe`` runs the app's own
start-up: process protections, provisioning, the window), in an interpreter that imports nothing
else, so the bench's own modules are not counted as the app's loading."""


def run_probe_child(data_dir: Path, passphrase_file: Path) -> tuple[dict[str, Any], float, float]:
    """Start the reader on ``data_dir``, unlock it through its unlock screen, and time each line
    the probe prints as it arrives; returns marks in the form the other children give."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_LOGGING_RULES": "*.debug=false"}
    command = [sys.executable, "-c", PROBE_CHILD, "--data-dir", str(data_dir)]
    spawned = time.time()
    proc = subprocess.Popen(  # noqa: S603 - this interpreter, the app's own probe
        [*command, "--passphrase-file", str(passphrase_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    lines: dict[str, tuple[float, str]] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        event, _, value = line.strip().rpartition(" ")
        lines[event] = (time.time(), value)
    _, errors = proc.communicate(timeout=CHILD_TIMEOUT_S)
    ended = time.time()
    if proc.returncode != 0 or "unlocked" not in lines:
        raise SystemExit(f"the startup probe failed ({proc.returncode}):\n{errors}")
    shown_at, _ = lines["shown"]
    unlocked_at, since_window = lines["unlocked"]
    marks = {
        "ready": unlocked_at,
        "imported": unlocked_at - float(since_window),
        "unlock_requested": shown_at,
        "unlocked": unlocked_at,
        "peak_rss_mib": int(lines["peak-rss-kib"][1]) / 1024,
    }
    return marks, spawned, ended


# --- Measurements in this process ---------------------------------------------------------------


@dataclass
class StartResult:
    label: str
    to_ready_s: list[float] = field(default_factory=list)
    process_s: list[float] = field(default_factory=list)
    unlock_s: list[float] = field(default_factory=list)
    import_s: list[float] = field(default_factory=list)
    peak_rss_mib: list[float] = field(default_factory=list)

    def add(self, marks: dict[str, Any], spawned: float, ended: float) -> None:
        self.to_ready_s.append(marks["ready"] - spawned)
        self.process_s.append(ended - spawned)
        self.peak_rss_mib.append(marks["peak_rss_mib"])
        if "unlocked" in marks:
            self.unlock_s.append(marks["unlocked"] - marks["unlock_requested"])
            self.import_s.append(marks["imported"] - spawned)


def measure_starts(
    sample_default: Path, sample_fast: Path, html_file: Path, repeats: int
) -> list[StartResult]:
    bare = StartResult("bare window (QMainWindow + QTextBrowser, 50 KB HTML)")
    default = StartResult("app, sample library, default Argon2id")
    fast = StartResult("app, sample library, cheapest key derivation")
    passphrase_file = html_file.with_name("passphrase.txt")
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    for i in range(repeats):
        progress(f"cold starts, round {i + 1} of {repeats}")
        bare.add(*run_child("bare-window", str(html_file)))
        default.add(*run_probe_child(sample_default, passphrase_file))
        fast.add(*run_probe_child(sample_fast, passphrase_file))
    return [bare, default, fast]


def key_derivation_seconds(data_dir: Path, repeats: int = 3) -> float:
    slots = keyslots.decode(LibraryPaths(data_dir).keyslots.read_bytes())
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        keyslots.unlock(slots, PASSPHRASE)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


@dataclass
class OpenResult:
    lang: str
    app_ms: list[float] = field(default_factory=list)
    core_ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)
    bare_markdown_ms: list[float] = field(default_factory=list)
    html_bytes: int = 0


def measure_opens(data_dir: Path, articles: list[Article], repeats: int) -> list[OpenResult]:
    """Opening each long article in the real window, the core part alone, and the bare
    pipeline on the same Markdown, interleaved."""
    from PySide6.QtWidgets import QTextBrowser  # noqa: PLC0415

    app, window, _ = _open_window(data_dir)
    bare = QTextBrowser()
    bare.resize(window.reader.size())
    bare.show()
    service = window.service
    assert service is not None
    results = [OpenResult(a.lang) for a in articles]
    for round_ in range(repeats + 1):  # the first round warms caches and is not counted
        for result, article in zip(results, articles, strict=True):
            _open_in_window(app, window, "bench-placeholder")  # another page in between
            app_ms = _open_in_window(app, window, article.id)
            core_ms = _on_worker(
                app,
                window,
                lambda i=article.id: service.open(i),  # type: ignore[misc]
                "the core open",
            )
            bare.clear()
            app.processEvents()
            began = time.perf_counter()
            html = bare_html(article.body or "")
            markdown_ms = (time.perf_counter() - began) * 1000
            bare.setHtml(html)
            bare.viewport().repaint()
            bare_ms = (time.perf_counter() - began) * 1000
            if round_:
                result.app_ms.append(app_ms)
                result.core_ms.append(core_ms)
                result.bare_ms.append(bare_ms)
                result.bare_markdown_ms.append(markdown_ms)
                result.html_bytes = len(html.encode())
    window.close()
    bare.close()
    app.processEvents()
    return results


def _open_in_window(app: Any, window: Any, item_id: str) -> float:  # noqa: ANN401
    """Milliseconds from ``open_item`` to the page painted."""
    shown: list[str] = []
    window.page_shown.connect(shown.append)
    began = time.perf_counter()
    window.open_item(item_id)
    _qt_wait(app, lambda: item_id in shown and not window.worker.busy(), item_id)
    window.reader.viewport().repaint()
    elapsed = (time.perf_counter() - began) * 1000
    window.page_shown.disconnect(shown.append)
    return elapsed


@dataclass
class SearchResult:
    articles: int
    marks: dict[str, Any]
    spawned: float
    ended: float
    cached_before: float | None
    """Share of the library file in the page cache as the search child started."""
    cached_after: float | None


def measure_search(data_dir: Path, size: int, queries: list[str], work: Path) -> SearchResult:
    queries_file = work / "queries.json"
    queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    progress(f"search: {len(queries)} queries typed into the window at {size:,} articles")
    database = LibraryPaths(data_dir).database
    before = cached_share(database)
    marks, spawned, ended = run_child("app-search", str(data_dir), str(queries_file))
    return SearchResult(size, marks, spawned, ended, before, cached_share(database))


def typed_queries(vocabularies: dict[str, Vocabulary], count: int, seed: int) -> list[str]:
    """One-term, two-term and prefix queries as typed (phrases need their closing quote)."""
    built = build_queries(vocabularies, [], count, random.Random(f"ui-queries-{seed}"))
    classes = ("one-term", "two-term", "prefix")
    mixed = [q for trio in zip(*(built[k] for k in classes), strict=True) for q in trio]
    return [q for q in mixed if len(q) >= 2][:count]


# --- Output -------------------------------------------------------------------------------------


def print_environment(args: argparse.Namespace) -> None:
    import PySide6  # noqa: PLC0415

    print("=== environment ===")
    print(
        f"python {platform.python_version()}, PySide6 {PySide6.__version__}, {platform.machine()}"
    )
    print(f"cpus {os.cpu_count()}, platform {platform.platform()}, Qt platform offscreen")
    print(
        f"articles {args.articles:,}, cold-start rounds {args.repeats}, opens {args.opens}, "
        f"queries {args.queries}"
    )


def print_starts(results: list[StartResult], kdf_s: float) -> None:
    bare = results[0]
    base = statistics.median(bare.to_ready_s)
    print("\n=== 1. cold start to an unlocked window (sample library), median of rounds ===")
    print(f"{'':54} {'to ready s':>10} {'process s':>10} {'peak RSS MiB':>13} {'vs bare':>8}")
    for result in results:
        ready = statistics.median(result.to_ready_s)
        print(
            f"{result.label:54} {ready:10.3f} {statistics.median(result.process_s):10.3f} "
            f"{statistics.median(result.peak_rss_mib):13.1f} {ratio(ready, base):>8}"
        )
    print(f"key derivation alone (default Argon2id, median of 3): {kdf_s:.3f} s")
    for result in results[1:]:
        print(
            f"{result.label}: loading up to the window {statistics.median(result.import_s):.3f}"
            f" s, unlock to list painted (key derivation, open, first list) "
            f"{statistics.median(result.unlock_s):.3f} s"
        )


def print_opens(results: list[OpenResult]) -> None:
    print("\n=== 2. opening a 50 KB article: open_item to page painted, ms ===")
    print(f"{'':30} {'p50':>8} {'p95':>8} {'max':>8}")
    for result in results:
        rows = (
            (f"app ({result.lang})", result.app_ms),
            (f"  of which core open ({result.lang})", result.core_ms),
            (f"bare pipeline ({result.lang})", result.bare_ms),
            (f"  of which markdown+nh3 ({result.lang})", result.bare_markdown_ms),
        )
        for label, values in rows:
            print(
                f"{label:30} {statistics.median(values):8.1f} {percentile(values, 95):8.1f} "
                f"{max(values):8.1f}"
            )
        print(
            f"app/bare ({result.lang}): "
            f"{ratio(statistics.median(result.app_ms), statistics.median(result.bare_ms))}"
            f"  (HTML {result.html_bytes / 1024:.0f} KB bare)"
        )


def print_search(result: SearchResult) -> None:
    marks = result.marks
    print(f"\n=== 3. search in the window at {result.articles:,} articles ===")
    print(
        f"cold start to unlocked window (cheapest key derivation): "
        f"{marks['ready'] - result.spawned:.3f} s; first list: {marks['rows_listed']:,} rows "
        f"shown after {marks['listed'] - marks['unlocked']:.3f} s"
    )
    print(f"peak RSS after start: {marks['rss_after_start_mib']:.1f} MiB")
    print(
        f"library file in the system's page cache: {_share(result.cached_before)} when the "
        f"window started, {_share(result.cached_after)} after the searches"
    )
    print(f"{'ms':44} {'p50':>8} {'p95':>8} {'max':>8}")
    rows = (
        ("keystroke to results painted", marks["keystroke_ms"]),
        ("  from the search's start (search + list)", marks["from_search_ms"]),
        ("  of which core search() on the worker", marks["core_ms"]),
    )
    for label, values in rows:
        print(
            f"{label:44} {statistics.median(values):8.1f} {percentile(values, 95):8.1f} "
            f"{max(values):8.1f}"
        )
    print(
        "from-search-start p95 / core p95: "
        f"{ratio(percentile(marks['from_search_ms'], 95), percentile(marks['core_ms'], 95))}"
    )
    print(f"hits per query: median {statistics.median(marks['hits']):.0f}")
    print(f"peak RSS: {marks['peak_rss_mib']:.1f} MiB")


def _share(share: float | None) -> str:
    return "unknown" if share is None else f"{share:.0%}"


def print_summary(
    starts: list[StartResult], kdf_s: float, opens: list[OpenResult], search: SearchResult
) -> None:
    print("\n=== summary (targets are for a person to judge; nothing here fails) ===")
    bare, default, fast = starts
    bare_ready = statistics.median(bare.to_ready_s)
    ready = statistics.median(default.to_ready_s)
    print(
        f"cold start, default KDF: {ready:.3f} s = {ready - kdf_s:.3f} s + key derivation "
        f"{kdf_s:.3f} s  (target {TARGET_START_S} s + key derivation; bare window "
        f"{bare_ready:.3f} s, app without KDF / bare "
        f"{ratio(statistics.median(fast.to_ready_s), bare_ready)})"
    )
    for result in opens:
        app_ms = statistics.median(result.app_ms)
        bare_ms = statistics.median(result.bare_ms)
        print(
            f"open 50 KB ({result.lang}): {app_ms:.1f} ms p50  (target {TARGET_OPEN_MS:.0f} ms; "
            f"bare pipeline {bare_ms:.1f} ms, app/bare {ratio(app_ms, bare_ms)})"
        )
    marks = search.marks
    p95 = percentile(marks["keystroke_ms"], 95)
    print(
        f"keystroke to results p95 at {search.articles:,}: {p95:.1f} ms  "
        f"(target {TARGET_KEYSTROKE_P95_MS:.0f} ms; core "
        f"search p95 {percentile(marks['core_ms'], 95):.1f} ms; library file "
        f"{_share(search.cached_before)} in the page cache at the start)"
    )
    print(
        f"peak RSS, sample library: {statistics.median(default.peak_rss_mib):.1f} MiB with the "
        f"default Argon2id, {statistics.median(fast.peak_rss_mib):.1f} MiB without it  "
        f"(target {TARGET_RSS_SAMPLE_MIB:.0f}; bare window "
        f"{statistics.median(bare.peak_rss_mib):.1f} MiB; Argon2id itself holds "
        f"{DEFAULT_KDF.memlimit / MIB:.0f} MiB while it runs)"
    )
    print(
        f"peak RSS at {search.articles:,} articles: {marks['peak_rss_mib']:.1f} MiB  "
        f"(target {TARGET_RSS_LARGE_MIB:.0f}, cheapest key derivation)"
    )


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the desktop reader's start, open and search (prints figures only)."
    )
    parser.add_argument("--articles", type=int, default=None, help="large library size (100000)")
    parser.add_argument("--repeats", type=int, default=None, help="cold-start rounds (5)")
    parser.add_argument("--opens", type=int, default=None, help="opens per article (20)")
    parser.add_argument("--queries", type=int, default=None, help="typed queries (40)")
    parser.add_argument(
        "--out", type=Path, default=None, help="where the libraries go (default: bench/out/ui-*)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the libraries; a large library kept in --out is reused by the next run",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: the smoke test's run")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="content and query seed")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    for name, full, small in (
        ("articles", DEFAULT_ARTICLES, QUICK_ARTICLES),
        ("repeats", DEFAULT_REPEATS, QUICK_REPEATS),
        ("opens", DEFAULT_OPENS, QUICK_OPENS),
        ("queries", DEFAULT_QUERIES, QUICK_QUERIES),
    ):
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def child_main(kind: str, paths: list[str]) -> int:
    if kind == "bare-window":
        found: dict[str, Any] = child_bare_window(Path(paths[0]))
    elif kind == "app-search":
        found = child_app_search(Path(paths[0]), Path(paths[1]))
    else:
        raise SystemExit(f"unknown child {kind!r}")
    print(json.dumps(found))
    return 0


def prepare(work: Path, articles: list[Article]) -> tuple[Path, Path, Path, Path]:
    """The sample library twice (default and cheapest key derivation), the bare window's
    HTML, and a small library holding the 50 KB articles."""
    from fieldreader.service import create_reader  # noqa: PLC0415

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    progress("setting up the sample libraries and the 50 KB articles (not measured)")
    sample_default, sample_fast = work / "sample-default", work / "sample-fast"
    for folder, kdf in ((sample_default, DEFAULT_KDF), (sample_fast, FAST_KDF)):
        service, _ = create_reader(folder, PASSPHRASE, start_with="sample", kdf=kdf)
        service.library.close()
    html_file = work / "bare.html"
    html_file.write_text(bare_html(articles[0].body or ""), encoding="utf-8")
    opens_dir = work / "opens"
    with create_library(opens_dir, PASSPHRASE, FAST_KDF) as library:
        placeholder = Article(id="bench-placeholder", lang="en", title="Placeholder", body="-")
        library.content.apply([*articles, placeholder])
    return sample_default, sample_fast, html_file, opens_dir


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args.child[0], args.child[1:])
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    if args.out is None:
        DEFAULT_OUT_PARENT.mkdir(parents=True, exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix="ui-", dir=DEFAULT_OUT_PARENT))
        made_out = True
    else:
        out = args.out
        made_out = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
    work = out / "ui"
    large = out / f"ui-n{args.articles}"
    print_environment(args)
    try:
        vocabularies = build_vocabularies(args.seed)
        articles = bench_articles(vocabularies, args.seed)
        sample_default, sample_fast, html_file, opens_dir = prepare(work, articles)
        build_large_library(large, args.articles, vocabularies, args.seed)

        kdf_s = key_derivation_seconds(sample_default)
        starts = measure_starts(sample_default, sample_fast, html_file, args.repeats)
        print_starts(starts, kdf_s)
        sys.stdout.flush()
        progress(f"opening the 50 KB articles, {args.opens} times each")
        opens = measure_opens(opens_dir, articles, args.opens)
        print_opens(opens)
        sys.stdout.flush()
        queries = typed_queries(vocabularies, args.queries, args.seed)
        search = measure_search(large / "library", args.articles, queries, work)
        print_search(search)
        print_summary(starts, kdf_s, opens, search)
    finally:
        if args.keep:
            progress(f"libraries kept in {out}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(large, ignore_errors=True)
            if made_out:
                shutil.rmtree(out, ignore_errors=True)
            progress("libraries removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
