#!/usr/bin/env python3
"""What publishing a feed costs, and how many bytes a client fetches to follow it.

A synthetic content folder (the articles of ``store_bench.py``, written as Markdown with YAML front
matter) is published with ``publisher.build_feed`` and synced into a real library with
``update.update_library`` through a counting wrapper around ``DirectorySource``. Then the feed is
rebuilt with no change, and with 1, 10 and 100 edited articles, and each sync is measured again.

Byte counts are the file bodies the client asks the source for: a mirror would add its own
per-request overhead (HTTP headers, TLS records), which is shown as an estimate only. The script
prints figures and never fails on them; the targets are printed next to them for a person to
judge.

Run ``python bench/feed_bench.py --help`` for the options; ``--quick`` (300 articles) is the
smoke test's run. The full run (20,000 articles) takes several minutes, most of it in the builds.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import zstandard

from fieldreader.feed import publisher
from fieldreader.feed.metadata import IndexEntry, SegmentRef, effective_index
from fieldreader.feed.objects import ZSTD_LEVEL
from fieldreader.feed.source import DirectorySource, FeedSource, NotInSource
from fieldreader.feed.update import Progress, UpdateOptions, UpdateResult, update_library
from fieldreader.feed.verify import FeedVerifier, Held, load_trusted_root
from fieldreader.model import Article
from fieldreader.store import KdfParams, Library, create_library
from store_bench import Corpus, build_vocabularies

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT_PARENT = BENCH_DIR / "out"
DEFAULT_ARTICLES = 20_000
QUICK_ARTICLES = 300
DEFAULT_SEED = 2024
CHANGE_COUNTS = (1, 10, 100)
FEED_ID = "bench-feed"
PASSPHRASE = "bench passphrase: not secret"  # noqa: S105 - a throwaway synthetic library
#: The KDF's cost has nothing to do with syncing; the cheapest parameters libsodium accepts.
FAST_KDF = KdfParams(opslimit=1, memlimit=8192)
GENERATE_BATCH = 1_000
#: Simulated time between two builds: the builds' timestamps must differ, and every sync must
#: happen while the metadata is valid (timestamps last 7 days).
BUILD_STEP = timedelta(hours=1)
SYNC_DELAY = timedelta(minutes=1)
KB = 1024
#: Assumed HTTP request and response headers per request (misses included), for the estimate
#: line only; the targets are judged on file bytes.
HTTP_OVERHEAD_ESTIMATE = 400

# The targets. Printed beside the figures, never enforced.
TARGET_NO_CHANGE_BYTES = 1 * KB
TARGET_NO_CHANGE_REQUESTS = 1
TARGET_CHANGE_FACTOR = 1.15
TARGET_CHANGE_SLACK = 8 * KB

CATEGORIES = ("root", "timestamp", "snapshot", "index", "objects")


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- Content ------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string escapes are a subset of YAML's."""
    return json.dumps(text, ensure_ascii=False)


def _flow_list(values: Iterable[str]) -> str:
    # Quoted, so country codes such as NO or ON never turn into YAML 1.1 booleans.
    return "[" + ", ".join(_quote(v) for v in values) + "]"


def article_markdown(article: Article) -> str:
    """The article as a source file of docs/content-format.md, built without a YAML emitter."""
    title = article.title[:1].upper() + article.title[1:]
    lines = [
        "---",
        f"id: {article.id}",
        "kind: article",
        f"lang: {article.lang}",
        f"title: {_quote(title)}",
    ]
    if article.summary:
        lines.append(f"summary: {_quote(article.summary)}")
    if article.published is not None:
        lines.append(f"published: {article.published.isoformat()}")
    if article.updated is not None:
        lines.append(f"updated: {article.updated.isoformat()}")
    if article.authors:
        lines.append(f"authors: {_flow_list(article.authors)}")
    if article.source_url:
        lines.append(f"source_url: {_quote(article.source_url)}")
    if article.tags:
        lines.append(f"tags: {_flow_list(article.tags)}")
    if article.countries:
        lines.append(f"countries: {_flow_list(article.countries)}")
    if article.translation_group:
        lines.append(f"translation_group: {article.translation_group}")
    lines.append("---")
    return "\n".join(lines) + "\n" + article.body + "\n"


@dataclass
class ContentFolder:
    root: Path
    files: list[Path]
    bodies_by_lang: dict[str, int]
    seconds: float


def write_content(root: Path, count: int, seed: int) -> ContentFolder:
    """``count`` synthetic articles as ``root/articles/<id>.md``."""
    began = time.perf_counter()
    folder = root / "articles"
    folder.mkdir(parents=True)
    corpus = Corpus(count, seed, build_vocabularies(seed), set())
    files: list[Path] = []
    for batch in corpus.batches(GENERATE_BATCH):
        for article in batch:
            path = folder / f"{article.id}.md"
            path.write_text(article_markdown(article), encoding="utf-8")
            files.append(path)
        if len(files) % (GENERATE_BATCH * 5) == 0 or len(files) == count:
            progress(f"  wrote {len(files):,} articles")
    return ContentFolder(root, files, dict(corpus.stats.by_lang), time.perf_counter() - began)


def edit_articles(files: Sequence[Path], count: int, rng: random.Random, round_: int) -> list[str]:
    """Append a dated correction paragraph to the bodies of ``count`` random articles.

    Returns the ids of the edited articles (the file names without ``.md``).
    """
    chosen = rng.sample(list(files), min(count, len(files)))
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        note = (
            f"\n\nCorrection {round_}: an earlier version of this report gave the wrong date "
            f"for the hearing; reference {rng.randrange(10**9):09d}.\n"
        )
        path.write_text(text.rstrip("\n") + note, encoding="utf-8")
    return sorted(path.stem for path in chosen)


def tree_bytes(root: Path, pattern: str = "*") -> tuple[int, int, int]:
    """(files, sum of file sizes, bytes allocated on disk) below ``root``."""
    files = total = allocated = 0
    for path in root.rglob(pattern):
        if path.is_file():
            st = path.stat()
            files += 1
            total += st.st_size
            allocated += getattr(st, "st_blocks", 0) * 512
    return files, total, allocated


# --- Client side --------------------------------------------------------------------------------


def _category(path: str) -> str:
    if path == "timestamp.json":
        return "timestamp"
    return path.split("/", 1)[0]


@dataclass
class Fetch:
    path: str
    bytes: int
    """Bytes returned; 0 for a miss."""
    hit: bool


class CountingSource:
    """A :class:`FeedSource` that records every request made to the source it wraps."""

    def __init__(self, inner: FeedSource) -> None:
        self.inner = inner
        self.fetches: list[Fetch] = []

    def fetch(self, path: str, max_bytes: int) -> bytes:
        try:
            data = self.inner.fetch(path, max_bytes)
        except NotInSource:
            self.fetches.append(Fetch(path, 0, hit=False))
            raise
        self.fetches.append(Fetch(path, len(data), hit=True))
        return data

    @property
    def requests(self) -> int:
        """Requests answered with a file (misses are counted apart)."""
        return sum(1 for f in self.fetches if f.hit)

    @property
    def misses(self) -> int:
        return sum(1 for f in self.fetches if not f.hit)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.fetches)

    def by_category(self) -> dict[str, tuple[int, int, int]]:
        """Category -> (requests, misses, bytes)."""
        out: dict[str, tuple[int, int, int]] = {}
        for category in CATEGORIES:
            chosen = [f for f in self.fetches if _category(f.path) == category]
            out[category] = (
                sum(1 for f in chosen if f.hit),
                sum(1 for f in chosen if not f.hit),
                sum(f.bytes for f in chosen),
            )
        return out


@dataclass
class Sync:
    label: str
    source: CountingSource
    result: UpdateResult
    seconds: float
    apply_seconds: float
    """From the start of the "applying" phase to the end (one transaction)."""


def sync(
    label: str, library: Library, feed_dir: Path, now: datetime, trusted_root: bytes | None
) -> Sync:
    source = CountingSource(DirectorySource(feed_dir))
    marks: dict[str, float] = {}

    def on_progress(step: Progress) -> None:
        if step.phase == "applying" and step.done == 0:
            marks["apply"] = time.perf_counter()

    options = UpdateOptions(now=now, online=True, trusted_root=trusted_root, progress=on_progress)
    began = time.perf_counter()
    result = update_library(library, source, options)
    ended = time.perf_counter()
    return Sync(label, source, result, ended - began, ended - marks.get("apply", ended))


def feed_index(feed_dir: Path, now: datetime) -> tuple[dict[str, IndexEntry], list[SegmentRef]]:
    """The feed's effective index and segment list, verified offline from its first root."""
    source = DirectorySource(feed_dir)
    verifier = FeedVerifier(
        load_trusted_root(source.fetch("root/1.root.json", 64 * KB)), Held(), now, online=False
    )
    while True:
        try:
            verifier.update_root(
                source.fetch(f"root/{verifier.root.version + 1}.root.json", 64 * KB)
            )
        except NotInSource:
            break
    timestamp = verifier.update_timestamp(source.fetch("timestamp.json", 16 * KB))
    snapshot = verifier.update_snapshot(
        source.fetch(f"snapshot/{timestamp.snapshot.version}.json", 1024 * KB)
    )
    segments = [
        verifier.verify_segment(ref, source.fetch(f"index/{ref.sha256}.json.zst", ref.length))
        for ref in snapshot.segments
    ]
    return effective_index(segments), list(snapshot.segments)


# --- Runs ---------------------------------------------------------------------------------------


@dataclass
class Build:
    report: publisher.BuildReport
    seconds: float
    segments: list[SegmentRef]
    snapshot_bytes: int
    timestamp_bytes: int


@dataclass
class ChangeRound:
    k: int
    build: Build
    sync: Sync
    compressed: int
    """Sum of the stored lengths of the k edited items' new objects."""

    @property
    def allowance(self) -> float:
        return TARGET_CHANGE_FACTOR * self.compressed + TARGET_CHANGE_SLACK

    @property
    def ratio(self) -> float:
        return self.sync.source.bytes / self.allowance


@dataclass
class Results:
    articles: int
    content: ContentFolder
    markdown: tuple[int, int, int]
    first: Build
    feed: tuple[int, int, int]
    initial: Sync
    no_change_build: Build | None = None
    no_change: Sync | None = None
    no_change_held_root: Sync | None = None
    rounds: list[ChangeRound] = field(default_factory=list)


def build(content: Path, feed_dir: Path, keydir: Path, now: datetime) -> Build:
    began = time.perf_counter()
    report = publisher.build_feed(content, feed_dir, keydir, now=now, feed_id=FEED_ID)
    seconds = time.perf_counter() - began
    timestamp = feed_dir / publisher.TIMESTAMP_FILE
    snapshot = feed_dir / publisher.snapshot_file(report.version)
    _, segments = feed_index(feed_dir, now)
    return Build(report, seconds, segments, snapshot.stat().st_size, timestamp.stat().st_size)


def run(args: argparse.Namespace, out: Path) -> Results:
    content_dir, feed_dir = out / "content", out / "feed"
    keydir, library_dir = out / "keys", out / "library"
    clock = datetime.now(UTC).replace(microsecond=0)

    progress(f"writing {args.articles:,} articles to {content_dir}")
    content = write_content(content_dir, args.articles, args.seed)
    markdown = tree_bytes(content_dir, "*.md")

    progress(f"building the feed (zstd level {ZSTD_LEVEL}); this is the slow part")
    publisher.generate_keys(keydir)
    first = build(content_dir, feed_dir, keydir, clock)
    progress(f"  built in {first.seconds:.1f} s")
    feed = tree_bytes(feed_dir)

    progress("initial sync into a new library")
    library = create_library(library_dir, PASSPHRASE, FAST_KDF)
    try:
        root = (feed_dir / publisher.root_file(1)).read_bytes()
        initial = sync("initial", library, feed_dir, clock + SYNC_DELAY, root)
        progress(f"  synced in {initial.seconds:.1f} s")
        results = Results(args.articles, content, markdown, first, feed, initial)

        clock += BUILD_STEP
        progress("no-change rebuild and sync")
        results.no_change_build = build(content_dir, feed_dir, keydir, clock)
        results.no_change = sync("no change", library, feed_dir, clock + SYNC_DELAY, None)
        state = library.feeds.state(FEED_ID)
        held_root = state.root if state is not None else None
        results.no_change_held_root = sync(
            "no change, held root given", library, feed_dir, clock + 2 * SYNC_DELAY, held_root
        )

        rng = random.Random(f"edits-{args.seed}")
        for number, k in enumerate(CHANGE_COUNTS, start=1):
            clock += BUILD_STEP
            progress(f"editing {k} article(s), rebuilding and syncing")
            changed = edit_articles(content.files, k, rng, number)
            done = build(content_dir, feed_dir, keydir, clock)
            index, _ = feed_index(feed_dir, clock)
            compressed = sum(index[item_id].length for item_id in changed)
            synced = sync(f"{k} changed", library, feed_dir, clock + SYNC_DELAY, None)
            results.rounds.append(ChangeRound(len(changed), done, synced, compressed))
            progress(f"  built in {done.seconds:.1f} s, synced in {synced.seconds:.2f} s")
    finally:
        library.close()
    return results


# --- Report -------------------------------------------------------------------------------------


def _size(n: float) -> str:
    if n >= 1024 * KB:
        return f"{n / (1024 * KB):,.1f} MiB"
    return f"{n / KB:,.1f} KiB"


def _bytes(n: int) -> str:
    """Exact bytes, with a readable size beside them once that says more."""
    return f"{n:,} B ({_size(n)})" if n >= 10 * KB else f"{n:,} B"


def print_environment(args: argparse.Namespace) -> None:
    print("fieldreader feed benchmark")
    print(f"  python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(
        f"  zstandard {zstandard.__version__} (libzstd {zstandard.ZSTD_VERSION}), level "
        f"{ZSTD_LEVEL}"
    )
    print(f"  {args.articles:,} articles, seed {args.seed}; KB = {KB} bytes")
    print()


def print_build(results: Results) -> None:
    first, content = results.first, results.content
    md_files, md_bytes, _ = results.markdown
    feed_files, feed_bytes, feed_alloc = results.feed
    langs = ", ".join(f"{lang} {n:,}" for lang, n in sorted(content.bodies_by_lang.items()))
    print(f"=== publish: {results.articles:,} articles ===")
    print(
        f"content folder: {md_files:,} Markdown files ({langs}); written in "
        f"{content.seconds:.1f} s (not counted below)"
    )
    print(f"build time (build_feed, new feed)          {first.seconds:>10.1f} s")
    print(
        f"build rate                                 "
        f"{results.articles / first.seconds:>10,.0f} articles/s"
    )
    print(f"raw Markdown size (content folder)         {md_bytes:>14,} B  ({_size(md_bytes)})")
    print(
        f"feed size on disk (sum of files)           {feed_bytes:>14,} B  ({_size(feed_bytes)})"
        f" in {feed_files:,} files"
    )
    print(f"feed / Markdown ratio                      {feed_bytes / md_bytes:>10.3f}")
    print(
        f"feed blocks allocated on disk              {feed_alloc:>14,} B  ({_size(feed_alloc)})"
        "  (small files round up to the block size)"
    )
    segs = ", ".join(f"{ref.count:,} entries / {ref.length:,} B" for ref in first.segments)
    print(f"index segments                             {segs}")
    print(
        f"snapshot / timestamp files                 {first.snapshot_bytes:,} B / "
        f"{first.timestamp_bytes:,} B"
    )
    print()


def print_sync(s: Sync) -> None:
    src = s.source
    print(
        f"  {s.label}: {_bytes(src.bytes)} in {src.requests:,} requests "
        f"+ {src.misses} miss(es); {s.seconds:.2f} s"
    )
    parts = []
    for category, (hits, misses, size) in src.by_category().items():
        if hits or misses:
            miss = f" + {misses} miss" if misses else ""
            parts.append(f"{category} {hits}{miss} = {size:,} B")
    print(f"    where the bytes go: {'; '.join(parts)}")
    overhead = (src.requests + src.misses) * HTTP_OVERHEAD_ESTIMATE
    print(
        f"    with ~{HTTP_OVERHEAD_ESTIMATE} B of HTTP headers per request (estimate, not "
        f"counted above): {src.bytes + overhead:,} B"
    )


def print_syncs(results: Results) -> None:
    initial = results.initial
    r = initial.result
    items = r.added + r.updated
    print("=== initial sync: a new library imports the feed ===")
    print_sync(initial)
    fetch_s = initial.seconds - initial.apply_seconds
    print(
        f"  items applied: {items:,} ({r.added:,} added); {items / initial.seconds:,.0f} items/s "
        f"overall; fetch + verify {fetch_s:.1f} s, apply (one transaction) "
        f"{initial.apply_seconds:.1f} s = {items / max(initial.apply_seconds, 1e-9):,.0f} "
        "items/s"
    )
    print(
        f"  feed on disk {results.feed[1]:,} B; fetched / feed "
        f"{initial.source.bytes / results.feed[1]:.3f}"
    )
    print()

    print("=== no-change rebuild (new timestamp only) ===")
    if results.no_change_build is not None and results.no_change is not None:
        b = results.no_change_build
        written = ", ".join(b.report.written)
        print(
            f"  build: {b.seconds:.1f} s; files written: {written}; timestamp "
            f"{b.timestamp_bytes:,} B"
        )
        print_sync(results.no_change)
        print(f"  nothing new reported by the client: {results.no_change.result.nothing_new}")
    if results.no_change_held_root is not None:
        print_sync(results.no_change_held_root)
    print(
        "  (the root probe is a miss: the client asks for root/<N+1>.root.json on every sync to"
        " learn of key rotations;\n   misses are counted apart from requests.)"
    )
    print()

    print("=== k changed articles: rebuild, then sync ===")
    for rnd in results.rounds:
        b = rnd.build
        segs = " + ".join(f"{ref.count:,}" for ref in b.segments)
        print(
            f"k = {rnd.k}: build {b.seconds:.1f} s; {b.report.updated} updated; segments "
            f"(entries) {segs}"
        )
        print_sync(rnd.sync)
        print(f"  compressed size of the changed items: {rnd.compressed:,} B")
        print(
            f"  target: <= {TARGET_CHANGE_FACTOR} x compressed + 8 KB = {rnd.allowance:,.0f} B; "
            f"bytes / target = {rnd.ratio:.3f}"
        )
        overhead = rnd.sync.source.bytes - rnd.compressed
        print(f"  bytes beyond the changed objects: {overhead:,} B")
    print()


def print_summary(results: Results) -> None:
    print("=== summary: figures next to the targets (informational, never enforced) ===")
    print(f"{'metric':48}{'figure':>22}  {'target':<30}verdict")

    def line(metric: str, figure: str, target: str, ok: bool | None) -> None:
        verdict = "-" if ok is None else ("meets" if ok else "MISSES")
        print(f"{metric:48}{figure:>22}  {target:<30}{verdict}")

    first = results.first
    line("build time, new feed", f"{first.seconds:.1f} s", "-", None)
    line(
        "feed size / raw Markdown",
        f"{results.feed[1] / results.markdown[1]:.3f}",
        "-",
        None,
    )
    init = results.initial
    line("initial sync bytes", f"{init.source.bytes:,} B", "-", None)
    line(
        "initial sync requests (+ misses)",
        f"{init.source.requests:,} + {init.source.misses}",
        "-",
        None,
    )
    items = init.result.added + init.result.updated
    line("initial sync items/s", f"{items / init.seconds:,.0f}", "-", None)
    for s in (results.no_change, results.no_change_held_root):
        if s is None:
            continue
        src = s.source
        line(
            f"{s.label}: bytes",
            f"{src.bytes:,} B",
            f"<= {TARGET_NO_CHANGE_BYTES:,} B",
            src.bytes <= TARGET_NO_CHANGE_BYTES,
        )
        line(
            f"{s.label}: requests (+ misses)",
            f"{src.requests} + {src.misses}",
            f"{TARGET_NO_CHANGE_REQUESTS} (misses apart)",
            src.requests <= TARGET_NO_CHANGE_REQUESTS,
        )
    for rnd in results.rounds:
        src = rnd.sync.source
        line(
            f"k = {rnd.k}: bytes", f"{src.bytes:,} B", f"<= {rnd.allowance:,.0f} B", rnd.ratio <= 1
        )
        line(
            f"k = {rnd.k}: bytes / (1.15 x comp + 8 KB)", f"{rnd.ratio:.3f}", "<= 1", rnd.ratio <= 1
        )
        line(f"k = {rnd.k}: requests (+ misses)", f"{src.requests} + {src.misses}", "-", None)
    print("(bytes are file bodies as the source returns them; a mirror adds headers per request)")


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark publishing a feed and the bytes a client syncs (figures only)."
    )
    parser.add_argument(
        "--articles", type=int, default=None, help=f"articles to publish ({DEFAULT_ARTICLES:,})"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="working folder (default: bench/out/feed-*)"
    )
    parser.add_argument("--keep", action="store_true", help="keep content, feed and library")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_ARTICLES} articles: a smoke run"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus and edit seed")
    args = parser.parse_args(argv)
    if args.articles is None:
        args.articles = QUICK_ARTICLES if args.quick else DEFAULT_ARTICLES
    if args.articles < max(CHANGE_COUNTS):
        parser.error(f"--articles must be at least {max(CHANGE_COUNTS)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    if args.out is None:
        DEFAULT_OUT_PARENT.mkdir(parents=True, exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix="feed-", dir=DEFAULT_OUT_PARENT))
        made_out = True
    else:
        out = args.out
        made_out = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
    work = out / f"feed-n{args.articles}"
    if work.exists():
        raise SystemExit(f"{work} already exists; remove it or choose another --out")
    print_environment(args)
    try:
        results = run(args, work)
        print_build(results)
        print_syncs(results)
        print_summary(results)
    finally:
        if args.keep:
            progress(f"content, feed and library kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            if made_out:
                shutil.rmtree(out, ignore_errors=True)
            progress("working files removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
