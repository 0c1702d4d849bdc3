#!/usr/bin/env python3
"""Syncing a real encrypted library from a real HTTPS mirror: rate, bytes, requests, resuming.

The feed is published from the synthetic articles of ``feed_bench.py`` (and ``store_bench.py``)
and served by nginx over TLS on loopback, with a certificate from a throwaway CA that this script
makes with the ``openssl`` command in its working folder; the transport trusts that CA and pins
the server's key. Each sync is ``update_library`` over a ``MirrorSource`` with ``stage=True``, as
for any mirror, into a library from ``create_library`` (with the cheapest KDF: unlocking is not
what is measured here).

Four questions, all in one run:

1. The initial sync of the whole feed: items applied per second, bytes, requests, time; and the
   bare rate of inserting the same, already parsed items into a fresh library (batches of
   1,000 in one transaction, as a sync applies), so the ratio says what the sync costs beyond
   the store itself.
2. A sync with nothing new: the conditional timestamp request (a 304) and the root probe (a 404)
   are shown apart; also after the publisher renewed the timestamp without changes.
3. A 10-article update: bytes against the compressed size of the 10 new objects.
4. A sync cut at half of its objects, then run again: bytes of the second attempt and of both
   together, against the same update synced without a cut into a copy of the library.

Byte counts come from the transport's own counters: response bodies, and HTTP (status lines and
headers included). The small syncs of 2 and 3 also pass through a counting TCP relay, which adds
what TLS costs (handshake, records) on a new connection. The script prints figures and never
fails on them; the targets are printed next to them for a person to judge.

Run ``python bench/sync_bench.py --help`` for the options; ``--quick`` (300 articles) is the
smoke test's run. The full run (20,000 articles) takes many minutes, mostly building the feed.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import dataclasses
import io
import os
import platform
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from feed_bench import (
    BUILD_STEP,
    FAST_KDF,
    FEED_ID,
    KB,
    PASSPHRASE,
    SYNC_DELAY,
    TARGET_CHANGE_FACTOR,
    TARGET_CHANGE_SLACK,
    ContentFolder,
    edit_articles,
    feed_index,
    progress,
    tree_bytes,
    write_content,
)
from fieldreader.feed import publisher
from fieldreader.feed.objects import decode_item
from fieldreader.feed.update import Progress, UpdateOptions, UpdateResult, update_library
from fieldreader.model import Item
from fieldreader.store import Library, create_library, open_library
from fieldreader.sync import CachedFile, MirrorSource, TransportConfig, TransportStats

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT_PARENT = BENCH_DIR / "out"
DEFAULT_ARTICLES = 20_000
QUICK_ARTICLES = 300
MIN_ARTICLES = 100
DEFAULT_SEED = 2024
CHANGED = 10
RESUME_SHARE = 0.1
"""Articles changed for the resume update, as a share of the feed (2,000 of 20,000)."""
CUT_AT = 0.5
"""The first attempt of the resume update stops after this share of its objects."""
BARE_BATCH = 1_000
PREFIX = "feed"
SERVER_START_LIMIT = 15.0
"""Seconds nginx may take to open its port: a limit, never a measurement."""
INSTALL = "apt-get install nginx openssl"
PR_SET_PDEATHSIG = 1

# The targets. Printed beside the figures, never enforced.
TARGET_APPLY_RATIO = 0.7
TARGET_NO_CHANGE_BYTES = 1 * KB
TARGET_NO_CHANGE_REQUESTS = 1
TARGET_RESUME_TOTAL = 1.05
"""Both attempts together / one uninterrupted sync: "nothing is fetched twice", read as at most
5 % more (the second attempt asks for the snapshot and the root probe again)."""

CATEGORIES = ("timestamp", "root", "snapshot", "index", "objects")

Memory = dict[str, CachedFile]
"""The transport's conditional-request memory, kept across syncs as the app keeps it."""


class BenchError(Exception):
    """The benchmark could not set something up; the message says what."""


class Cut(Exception):
    """Raised from the progress callback: the sync stops there, as on a dropped connection."""


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


# --- The mirror: a throwaway CA, nginx with TLS, a counting relay ---------------------------------


def find_tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/local/sbin")
    if found is None:
        raise BenchError(f"'{name}' is needed to serve the feed over HTTPS: {INSTALL}")
    return found


def run_tool(command: Sequence[str], stdin: bytes | None = None) -> bytes:
    result = subprocess.run(  # noqa: S603 - fixed arguments, tools found on PATH
        list(command), input=stdin, capture_output=True, check=False, timeout=60
    )
    if result.returncode != 0:
        err = result.stderr.decode(errors="replace")[-2000:]
        raise BenchError(f"{' '.join(command[:3])} failed: {err}")
    return result.stdout


@dataclass(frozen=True)
class Pki:
    ca: Path
    """The throwaway CA's certificate: the transport's ``ca_file``."""
    cert: Path
    key: Path
    pin: str
    """``sha256/...`` of the server's key, computed with the openssl command as a trainer would."""


def make_pki(folder: Path) -> Pki:
    """A CA and a server certificate for 127.0.0.1 (EC P-256), both valid for three days."""
    openssl = find_tool("openssl")
    folder.mkdir(parents=True)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    run_tool([openssl, "req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca),
              "-days", "3", "-subj", "/CN=fieldreader sync benchmark throwaway CA"])  # fmt: skip
    extensions = folder / "server.ext"
    extensions.write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
    )
    key, csr, cert = folder / "server.key", folder / "server.csr", folder / "server.pem"
    run_tool([openssl, "req", "-new", *ec, "-keyout", str(key), "-out", str(csr),
              "-subj", "/CN=localhost"])  # fmt: skip
    run_tool([openssl, "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
              "-set_serial", "2", "-days", "3", "-out", str(cert),
              "-extfile", str(extensions)])  # fmt: skip
    public = run_tool([openssl, "x509", "-in", str(cert), "-pubkey", "-noout"])
    der = run_tool([openssl, "pkey", "-pubin", "-outform", "DER"], stdin=public)
    digest = run_tool([openssl, "dgst", "-sha256", "-binary"], stdin=der)
    return Pki(ca, cert, key, "sha256/" + base64.b64encode(digest).decode("ascii"))


NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    log_not_found off;
    server_tokens off;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    ssl_protocols TLSv1.2 TLSv1.3;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        root {www};
    }}
}}
"""
"""One TLS server with nginx's defaults otherwise (keep-alive: 1,000 requests, 75 s; ETag and
Last-Modified on static files), as a plain static mirror would run."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _end_with_parent() -> None:
    """In nginx's process before exec: SIGTERM when the benchmark ends, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def nginx_serving(folder: Path, www: Path, pki: Pki) -> Iterator[int]:
    """nginx serving ``www`` over TLS on 127.0.0.1; yields the port; always stops it."""
    binary = find_tool("nginx")
    folder.mkdir(parents=True)
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=folder, port=port, cert=pki.cert, key=pki.key, www=www))
    stderr = folder / "nginx.stderr"
    with stderr.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [binary, "-e", "stderr", "-p", str(folder), "-c", str(conf)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            preexec_fn=_end_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509 - no threads yet
        )  # fmt: skip
    progress(f"nginx started (pid {process.pid}) on 127.0.0.1:{port}")
    try:
        _wait_for_port(port, process, stderr)
        yield port
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        progress(f"nginx stopped (pid {process.pid})")


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"nginx exited at start: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise BenchError(f"nginx did not open port {port} within {SERVER_START_LIMIT:g} s.")


def tls_summary(port: int, ca: Path) -> str:
    """The protocol and cipher nginx negotiates with Python's ssl (as the transport's does)."""
    context = ssl.create_default_context(cafile=str(ca))
    with (
        socket.create_connection(("127.0.0.1", port), 5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        cipher = tls.cipher()
        return f"{tls.version()}, {cipher[0] if cipher else '?'}"


class CountingRelay:
    """A TCP relay to the mirror that counts the bytes passed each way: TLS records and
    handshakes included, which the transport's own counters cannot see."""

    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._sent = 0
        self._received = 0
        self._pumps = 0
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._start(self._accept)

    def take(self) -> tuple[int, int]:
        """(to the mirror, from the mirror) since the last call, once every relayed connection
        has closed (close the source first)."""
        deadline = time.monotonic() + SERVER_START_LIMIT
        while time.monotonic() < deadline:
            with self._lock:
                if self._pumps == 0:
                    counts = (self._sent, self._received)
                    self._sent = self._received = 0
                    return counts
            time.sleep(0.01)
        raise BenchError("A relayed connection did not close.")

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=10)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self._target), timeout=30)
            except OSError:
                client.close()
                continue
            client.settimeout(60)
            with self._lock:
                self._pumps += 2
            self._start(self._pump, client, upstream, True)
            self._start(self._pump, upstream, client, False)

    def _pump(self, source: socket.socket, sink: socket.socket, to_mirror: bool) -> None:
        try:
            while data := source.recv(65536):
                with self._lock:  # counted before it is passed on: the reader never runs ahead
                    if to_mirror:
                        self._sent += len(data)
                    else:
                        self._received += len(data)
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        source.close()
        with self._lock:
            self._pumps -= 1


@dataclass(frozen=True)
class Mirror:
    """Where a sync connects: nginx itself, or the counting relay in front of it."""

    url: str
    config: TransportConfig


def mirror_at(port: int, pki: Pki) -> Mirror:
    url = f"https://127.0.0.1:{port}/{PREFIX}/"
    return Mirror(url, TransportConfig([url], ca_file=pki.ca, pins={url: [pki.pin]}))


# --- Syncing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """One ``fetch`` the engine made, measured with the transport's counters."""

    path: str
    status: int | None
    """The last attempt's HTTP status (304: the remembered body was used)."""
    requests: int
    body: int
    http: int
    seconds: float


def category(path: str) -> str:
    return "timestamp" if path == "timestamp.json" else path.split("/", 1)[0]


class TimedSource:
    """The :class:`FeedSource` the engine sees: a :class:`MirrorSource` whose every fetch is
    timed and counted from the transport's own counters, so a 304 counts what crossed the
    network, not the remembered body it returns."""

    def __init__(self, inner: MirrorSource) -> None:
        self.inner = inner
        self.fetches: list[Fetched] = []

    def fetch(self, path: str, max_bytes: int) -> bytes:
        stats = self.inner.stats
        requests, body, http = stats.requests, stats.bytes_received, stats.http_bytes_received
        began = time.perf_counter()
        try:
            return self.inner.fetch(path, max_bytes)
        finally:
            seconds = time.perf_counter() - began
            status = self.inner.history[-1].status if self.inner.history else None
            self.fetches.append(
                Fetched(path, status, stats.requests - requests, stats.bytes_received - body,
                        stats.http_bytes_received - http, seconds)
            )  # fmt: skip


@dataclass
class SyncRun:
    label: str
    seconds: float
    fetches: list[Fetched]
    stats: TransportStats
    phases: dict[str, float]
    """Seconds per engine phase: metadata, index, objects, applying (see :func:`_phases`)."""
    result: UpdateResult | None
    """None when the sync was cut."""
    cut: tuple[int, int] | None = None
    """(objects done, objects in the update) where the sync was cut."""
    wire: tuple[int, int] | None = None
    """(sent, received) TCP payload through the counting relay, TLS included."""

    @property
    def requests(self) -> int:
        return self.stats.requests

    @property
    def body(self) -> int:
        return self.stats.bytes_received

    @property
    def http(self) -> int:
        return self.stats.http_bytes_received

    @property
    def items(self) -> int:
        return 0 if self.result is None else self.result.added + self.result.updated

    def fetch_seconds(self, kind: str) -> float:
        return sum(f.seconds for f in self.fetches if category(f.path) == kind)

    def objects_downloaded(self) -> set[str]:
        return {
            f.path for f in self.fetches if category(f.path) == "objects" and f.status in (200, 206)
        }

    def by_category(self) -> dict[str, tuple[Counter[int | None], int, int]]:
        """Category -> (requests by status, body bytes, HTTP bytes)."""
        out: dict[str, tuple[Counter[int | None], int, int]] = {}
        for kind in CATEGORIES:
            chosen = [f for f in self.fetches if category(f.path) == kind]
            if chosen:
                statuses: Counter[int | None] = Counter()
                for f in chosen:
                    statuses[f.status] += f.requests
                out[kind] = (statuses, sum(f.body for f in chosen), sum(f.http for f in chosen))
        return out


def _phases(marks: list[tuple[str, float]], began: float, ended: float) -> dict[str, float]:
    """Seconds per phase, from the engine's progress reports: "metadata" up to its last report,
    "index" up to the last segment's, "objects" (choosing what is needed, fetching, verifying,
    staging) up to the first "applying" report, and "applying" (the one transaction) to the end.
    """
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for phase, at in marks:
        first.setdefault(phase, at)
        last[phase] = at
    metadata_end = last.get("metadata", began)
    index_end = last.get("index", metadata_end)
    apply_start = first.get("applying", ended)
    return {
        "metadata": metadata_end - began,
        "index": index_end - metadata_end,
        "objects": apply_start - index_end,
        "applying": ended - apply_start,
    }


def sync(
    label: str,
    library: Library,
    mirror: Mirror,
    memory: Memory,
    now: datetime,
    *,
    trusted_root: bytes | None = None,
    cut_after: int | None = None,
    report_every: float | None = None,
) -> SyncRun:
    """One sync as a mirror sync runs (online, staged), measured."""
    marks: list[tuple[str, float]] = []
    cut: list[tuple[int, int]] = []

    def on_progress(step: Progress) -> None:
        marks.append((step.phase, time.perf_counter()))
        if step.phase != "objects":
            return
        if cut_after is not None and step.done >= cut_after:
            cut.append((step.done, step.total))
            raise Cut
        if report_every and step.done % max(1, round(step.total * report_every)) == 0:
            progress(f"  {label}: {step.done:,} / {step.total:,} objects")

    options = UpdateOptions(
        now=now, online=True, trusted_root=trusted_root, stage=True, progress=on_progress
    )
    result: UpdateResult | None = None
    with MirrorSource(mirror.config, validators=memory) as transport:
        source = TimedSource(transport)
        began = time.perf_counter()
        with contextlib.suppress(Cut):
            result = update_library(library, source, options)
        ended = time.perf_counter()
    return SyncRun(
        label, ended - began, source.fetches, dataclasses.replace(transport.stats),
        _phases(marks, began, ended), result, cut[0] if cut else None,
    )  # fmt: skip


# --- The store on its own, with the same objects ------------------------------------------------


@dataclass
class Apart:
    """The initial sync's per-object work measured on its own, with the very same objects."""

    items: int
    read_seconds: float
    verify_seconds: float
    """Hash, length, zstd and parsing: ``decode_item``, which is what verifying a public
    object does."""
    lookup_seconds: float
    """``staging.get()`` for each object before it is fetched (all misses)."""
    stage_seconds: float
    """``staging.put()``: one committed insert per object, in the staging database."""
    clear_seconds: float
    """``staging.clear()`` once the update is applied."""
    bare_after_seconds: float
    """``content.apply`` in batches of :data:`BARE_BATCH`, in one transaction, into a fresh
    library, right after the sync."""
    bare_before_seconds: float = 0.0
    """The same, right before the sync."""

    @property
    def bare_seconds(self) -> float:
        """The mean of the two: this machine's speed drifts by a quarter within minutes, and
        a baseline taken on one side of the sync only would carry that drift into the ratio."""
        if not self.bare_before_seconds:
            return self.bare_after_seconds
        return (self.bare_before_seconds + self.bare_after_seconds) / 2

    @property
    def bare_rate(self) -> float:
        return self.items / self.bare_seconds


def _chunks(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parsed_items(feed_dir: Path, now: datetime) -> tuple[list[Item], dict[str, str]]:
    """The feed's items as verifying gives them, and item id -> object hash."""
    index, _ = feed_index(feed_dir, now)
    entries = [e for e in index.values() if e.kind != "attachment"]
    items = [
        decode_item(e, (feed_dir / publisher.object_file(e.sha256)).read_bytes(), False, {})
        for e in entries
    ]
    return items, {item.id: e.sha256 for item, e in zip(items, entries, strict=True)}


def bare_insert_seconds(items: Sequence[Item], hashes: dict[str, str], folder: Path) -> float:
    progress(f"  bare bulk insert of {len(items):,} parsed items in batches of {BARE_BATCH:,}")
    library = create_library(folder, PASSPHRASE, FAST_KDF)
    try:
        began = time.perf_counter()
        # One transaction, as the sync applies: per-batch commits measured 5-25% slower here,
        # which would flatter the sync's ratio.
        with library.transaction():
            for batch in _chunks(items, BARE_BATCH):
                library.content.apply(batch, feed=FEED_ID, object_hashes=hashes)
        return time.perf_counter() - began
    finally:
        library.close()
        shutil.rmtree(folder, ignore_errors=True)


def measure_apart(feed_dir: Path, now: datetime, work: Path) -> Apart:
    index, _ = feed_index(feed_dir, now)
    entries = [e for e in index.values() if e.kind != "attachment"]
    began = time.perf_counter()
    raw = [(e, (feed_dir / publisher.object_file(e.sha256)).read_bytes()) for e in entries]
    read = time.perf_counter() - began

    began = time.perf_counter()
    items = [decode_item(e, data, False, {}) for e, data in raw]
    verify = time.perf_counter() - began
    hashes = {item.id: e.sha256 for item, (e, _) in zip(items, raw, strict=True)}

    progress("  staging the same objects in a fresh library")
    library = create_library(work / "staging-only", PASSPHRASE, FAST_KDF)
    try:
        began = time.perf_counter()
        for e, _ in raw:
            library.staging.get(e.sha256)
        lookup = time.perf_counter() - began
        began = time.perf_counter()
        for e, data in raw:
            library.staging.put(FEED_ID, e.sha256, data)
        stage = time.perf_counter() - began
        began = time.perf_counter()
        library.staging.clear(FEED_ID)
        clear = time.perf_counter() - began
    finally:
        library.close()

    bare = bare_insert_seconds(items, hashes, work / "bare")
    return Apart(len(items), read, verify, lookup, stage, clear, bare)


# --- The run ------------------------------------------------------------------------------------


@dataclass
class Build:
    seconds: float
    report: publisher.BuildReport


@dataclass
class Update:
    """A rebuild with changed articles."""

    changed: int
    build: Build
    compressed: int
    """Sum of the stored lengths of the changed articles' new objects (from the feed index)."""


@dataclass
class Results:
    articles: int
    tls: str = ""
    nginx_version: str = ""
    pin: str = ""
    content: ContentFolder | None = None
    markdown_bytes: int = 0
    first_build: Build | None = None
    feed_files: int = 0
    feed_bytes: int = 0
    initial: SyncRun | None = None
    apart: Apart | None = None
    unchanged: SyncRun | None = None
    renewed_build: Build | None = None
    renewed: SyncRun | None = None
    update: Update | None = None
    update_sync: SyncRun | None = None
    resume: Update | None = None
    uninterrupted: SyncRun | None = None
    attempts: list[SyncRun] = field(default_factory=list)


@dataclass(frozen=True)
class Paths:
    work: Path

    @property
    def content(self) -> Path:
        return self.work / "content"

    @property
    def www(self) -> Path:
        return self.work / "www"

    @property
    def feed(self) -> Path:
        return self.www / PREFIX

    @property
    def keys(self) -> Path:
        return self.work / "keys"

    @property
    def library(self) -> Path:
        return self.work / "library"


def build(paths: Paths, now: datetime) -> Build:
    began = time.perf_counter()
    report = publisher.build_feed(paths.content, paths.feed, paths.keys, now=now, feed_id=FEED_ID)
    seconds = time.perf_counter() - began
    # nginx's ETag is the file's mtime (in seconds) and size: two builds within one second can
    # give timestamps of equal size the same ETag. The publishing time is a distinct mtime.
    stamp = now.timestamp()
    os.utime(paths.feed / publisher.TIMESTAMP_FILE, (stamp, stamp))
    return Build(seconds, report)


def publish(work: Path, articles: int, seed: int, results: Results) -> datetime:
    """Write the content folder and build the first version of the feed; returns its time."""
    paths = Paths(work)
    clock = datetime.now(UTC).replace(microsecond=0)
    progress(f"writing {articles:,} articles to {paths.content}")
    results.content = write_content(paths.content, articles, seed)
    results.markdown_bytes = tree_bytes(paths.content, "*.md")[1]
    progress("building the feed; this is the slow part")
    publisher.generate_keys(paths.keys)
    paths.www.mkdir()
    results.first_build = build(paths, clock)
    results.feed_files, results.feed_bytes, _ = tree_bytes(paths.feed)
    progress(f"  built in {results.first_build.seconds:.1f} s")
    return clock


class Session:
    """The measured steps, in order, sharing the mirror, the library and the simulated clock."""

    def __init__(
        self, paths: Paths, results: Results, *, pki: Pki, port: int, clock: datetime, seed: int
    ) -> None:
        self.paths = paths
        self.results = results
        self.pki = pki
        self.direct = mirror_at(port, pki)
        self.relay = CountingRelay(port)
        self.memory: Memory = {}
        self.clock = clock
        self.rng = random.Random(f"edits-{seed}")
        self._library: Library | None = create_library(paths.library, PASSPHRASE, FAST_KDF)

    @property
    def library(self) -> Library:
        if self._library is None:
            raise BenchError("The library is closed.")
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None
        self.relay.close()

    def initial(self) -> None:
        progress("1. initial sync into a new library")
        results = self.results
        root = (self.paths.feed / publisher.root_file(1)).read_bytes()
        now = self.clock + SYNC_DELAY
        progress("1. the bare insert of the same items, before the sync")
        items, hashes = parsed_items(self.paths.feed, now)
        bare_before = bare_insert_seconds(items, hashes, self.paths.work / "bare-before")
        del items, hashes  # not held through the sync (the collector would walk them)
        results.initial = sync(
            "initial sync", self.library, self.direct, self.memory, now, trusted_root=root,
            report_every=0.1,
        )  # fmt: skip
        progress(f"  synced in {results.initial.seconds:.1f} s")
        progress("1. the same items on their own, into fresh libraries")
        apart = self.paths.work / "apart"
        results.apart = dataclasses.replace(
            measure_apart(self.paths.feed, now, apart), bare_before_seconds=bare_before
        )
        shutil.rmtree(apart, ignore_errors=True)

    def no_change(self) -> None:
        progress("2. no-change syncs")
        results = self.results
        results.unchanged = self.through_relay("nothing published", self.clock + 2 * SYNC_DELAY)
        self.clock += BUILD_STEP
        results.renewed_build = build(self.paths, self.clock)
        results.renewed = self.through_relay("timestamp renewed", self.clock + SYNC_DELAY)

    def update(self) -> None:
        progress(f"3. editing {CHANGED} articles, rebuilding and syncing")
        self.results.update = self.edit_and_build(CHANGED, 1)
        self.results.update_sync = self.through_relay(f"{CHANGED} changed", self.clock + SYNC_DELAY)

    def resume(self, count: int) -> None:
        progress(f"4. editing {count:,} articles and rebuilding; a copy of the library first")
        results = self.results
        results.resume = self.edit_and_build(count, 2)
        self.library.close()
        self._library = None
        copy_dir = self.paths.work / "library-copy"
        shutil.copytree(self.paths.library, copy_dir)
        self._library = open_library(self.paths.library, PASSPHRASE)
        now = self.clock + SYNC_DELAY
        copy = open_library(copy_dir, PASSPHRASE)
        try:
            whole = sync("uninterrupted", copy, self.direct, dict(self.memory), now,
                         report_every=0.25)  # fmt: skip
        finally:
            copy.close()
        shutil.rmtree(copy_dir, ignore_errors=True)
        results.uninterrupted = whole
        progress(f"  uninterrupted in {whole.seconds:.1f} s; now cut, then again")
        cut_after = max(1, int(len(whole.objects_downloaded()) * CUT_AT))
        for label, at, cut in (
            ("attempt 1", now, cut_after),
            ("attempt 2", now + SYNC_DELAY, None),
        ):
            results.attempts.append(
                sync(label, self.library, self.direct, self.memory, at, cut_after=cut)
            )

    def edit_and_build(self, count: int, round_: int) -> Update:
        if self.results.content is None:
            raise BenchError("No content folder to edit.")
        self.clock += BUILD_STEP
        changed = edit_articles(self.results.content.files, count, self.rng, round_)
        done = build(self.paths, self.clock)
        index, _ = feed_index(self.paths.feed, self.clock)
        return Update(len(changed), done, sum(index[item_id].length for item_id in changed))

    def through_relay(self, label: str, now: datetime) -> SyncRun:
        """:func:`sync` through the counting relay. The conditional-request memory is keyed by
        the mirror's URL, so it is carried over to the relay's address and back."""
        direct, relayed = self.direct, mirror_at(self.relay.port, self.pki)
        local = {relayed.url + k[len(direct.url) :]: v for k, v in self.memory.items()
                 if k.startswith(direct.url)}  # fmt: skip
        self.relay.take()
        run_ = sync(label, self.library, relayed, local, now)
        run_.wire = self.relay.take()
        self.memory.clear()
        self.memory.update({direct.url + k[len(relayed.url) :]: v for k, v in local.items()})
        return run_


def run(args: argparse.Namespace, work: Path, results: Results) -> None:
    clock = publish(work, args.articles, args.seed, results)
    progress("making a throwaway CA and the server's certificate")
    pki = make_pki(work / "pki")
    results.pin = pki.pin
    with nginx_serving(work / "nginx", Paths(work).www, pki) as port:
        results.tls = tls_summary(port, pki.ca)
        session = Session(Paths(work), results, pki=pki, port=port, clock=clock, seed=args.seed)
        try:
            session.initial()
            session.no_change()
            session.update()
            session.resume(max(2, round(args.articles * RESUME_SHARE)))
        finally:
            session.close()


# --- Report -------------------------------------------------------------------------------------


def _size(n: float) -> str:
    return f"{n / (1024 * KB):,.1f} MiB" if n >= 1024 * KB else f"{n / KB:,.1f} KiB"


def _bytes(n: int) -> str:
    return f"{n:,} B ({_size(n)})" if n >= 10 * KB else f"{n:,} B"


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def print_environment(args: argparse.Namespace, results: Results) -> None:
    print("fieldreader sync benchmark")
    print(f"  python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"  {results.nginx_version} over loopback, TLS: {results.tls}; key pinned "
          f"({results.pin})")  # fmt: skip
    print(
        f"  {args.articles:,} articles, seed {args.seed}; library KDF opslimit "
        f"{FAST_KDF.opslimit}, memlimit {FAST_KDF.memlimit:,} B (not measured); KB = {KB} bytes"
    )
    print()


def print_setup(results: Results) -> None:
    if results.content is None or results.first_build is None:
        return
    print(f"=== setup: {results.articles:,} articles published (not measured) ===")
    print(
        f"  content folder: {len(results.content.files):,} Markdown files, "
        f"{_bytes(results.markdown_bytes)}; feed build {results.first_build.seconds:.1f} s; "
        f"feed on disk {_bytes(results.feed_bytes)} in {results.feed_files:,} files"
    )
    print()


def print_transfer(run_: SyncRun, indent: str = "  ") -> None:
    others = f", cut after {run_.cut[0]:,} of {run_.cut[1]:,} objects" if run_.cut else ""
    print(
        f"{indent}{run_.label}: {run_.requests:,} request(s), bodies {_bytes(run_.body)}, "
        f"HTTP (headers included) {_bytes(run_.http)}; {run_.stats.connections} TLS "
        f"connection(s); {run_.seconds:.2f} s{others}"
    )
    parts = []
    for kind, (statuses, body, http) in run_.by_category().items():
        codes = " + ".join(f"{n:,} x {code}" for code, n in sorted(statuses.items(), key=str))
        parts.append(f"{kind} {codes} = {body:,} B ({http:,} B HTTP)")
    print(f"{indent}  where the bytes go: {'; '.join(parts)}")
    p = run_.phases
    print(
        f"{indent}  phases: metadata {p['metadata']:.2f} s, index {p['index']:.2f} s, objects "
        f"{p['objects']:.2f} s (waiting for the mirror {run_.fetch_seconds('objects'):.2f} s), "
        f"applying {p['applying']:.2f} s"
    )
    if run_.wire is not None:
        sent, received = run_.wire
        print(
            f"{indent}  on the wire, TLS included (new connection, full handshake): "
            f"sent {sent:,} B, received {received:,} B"
        )


def print_initial(results: Results) -> None:
    initial, apart = results.initial, results.apart
    if initial is None or apart is None or initial.result is None:
        return
    print(f"=== 1. initial sync: {results.articles:,} articles over HTTPS into a new library ===")
    rate = initial.items / initial.seconds
    print(
        f"  items applied: {initial.items:,} ({initial.result.added:,} added) in "
        f"{initial.seconds:.1f} s = {rate:,.0f} items/s applied (end to end)"
    )
    print_transfer(initial)
    print(f"  fetched bodies / feed on disk: {_ratio(initial.body, results.feed_bytes):.3f}")
    p = initial.phases
    print(
        f"  bare bulk insert (content.apply, batches of {BARE_BATCH:,} in one transaction, "
        "fresh library): "
        f"{apart.items:,} items in {apart.bare_seconds:.1f} s = {apart.bare_rate:,.0f} items/s "
        f"(mean of {apart.bare_before_seconds:.1f} s before the sync and "
        f"{apart.bare_after_seconds:.1f} s after it)"
    )
    ratio = rate / apart.bare_rate
    print(f"  apply-rate / bare-rate: {ratio:.2f} (target >= {TARGET_APPLY_RATIO})")
    print(
        f"  phases: objects {p['objects']:.1f} s (fetching, verifying and staging on the engine's "
        f"thread while the store applies on its own), then the applying tail {p['applying']:.1f}"
        " s (the store catching up, withdrawals, the feed state, the commit)"
    )
    n = apart.items
    print("  the same objects' work measured apart (same run, not inside the sync's time):")
    for label, seconds in (
        ("verify: hash, zstd, parse (decode_item)", apart.verify_seconds),
        ("staging lookups (staging.get, misses)", apart.lookup_seconds),
        ("staging writes (staging.put, one commit each)", apart.stage_seconds),
        ("clearing the staging (after the commit)", apart.clear_seconds),
        ("reading the object files from disk", apart.read_seconds),
    ):
        print(f"    {label:48}{seconds:>8.2f} s  {seconds / n * 1e3:>7.3f} ms/object")
    fetch = sum(f.seconds for f in initial.fetches)
    staging = apart.lookup_seconds + apart.stage_seconds
    engine = fetch + apart.verify_seconds + staging
    print(
        f"  where the time goes (estimate): the engine's thread fetches {fetch:.1f} s + verifies "
        f"{apart.verify_seconds:.1f} s + stages {staging:.1f} s = {engine:.1f} s, while the "
        f"store's thread applies (the bare insert took {apart.bare_seconds:.1f} s); end to end "
        f"{initial.seconds:.1f} s = {initial.seconds / max(engine, apart.bare_seconds):.2f} x "
        "the longer of the two"
    )
    print(
        f"  per object: {fetch / n * 1e3:.3f} ms fetching (HTTPS request on a kept-alive "
        f"connection), {apart.verify_seconds / n * 1e3:.3f} ms verifying, "
        f"{staging / n * 1e3:.3f} ms staging, {apart.bare_seconds / n * 1e3:.3f} ms in the store"
        " (bare insert)"
    )
    print()


def print_no_change(results: Results) -> None:
    print("=== 2. no-change sync ===")
    for title, run_ in (
        ("nothing published since the last sync", results.unchanged),
        ("the publisher renewed the timestamp (rebuild, no content change)", results.renewed),
    ):
        if run_ is None:
            continue
        print(f"  {title}:")
        for f in run_.fetches:
            print(f"    request {f.path:<22} {f.status}  body {f.body:,} B, HTTP {f.http:,} B")
        probes = [f for f in run_.fetches if category(f.path) == "root"]
        print(
            "    root probe: "
            + (", ".join(f"{f.path} {f.status}, a request of its own" for f in probes) or "none")
        )
        print_transfer(run_, "    ")
        nothing_new = run_.result.nothing_new if run_.result else None
        print(f"    nothing new reported by the engine: {nothing_new}")
    print()


def print_update(results: Results) -> None:
    update, run_ = results.update, results.update_sync
    if update is None or run_ is None:
        return
    print(f"=== 3. {CHANGED}-article update ===")
    print(
        f"  build {update.build.seconds:.1f} s; {update.build.report.updated} updated; "
        f"{update.build.report.segments} index segment(s)"
    )
    print_transfer(run_)
    print(f"  compressed size of the {update.changed} items (new object lengths): "
          f"{update.compressed:,} B")  # fmt: skip
    allowance = TARGET_CHANGE_FACTOR * update.compressed + TARGET_CHANGE_SLACK
    print(
        f"  bodies / compressed = {_ratio(run_.body, update.compressed):.3f}; HTTP / compressed "
        f"= {_ratio(run_.http, update.compressed):.3f}"
    )
    print(
        f"  target: <= {TARGET_CHANGE_FACTOR} x compressed + 8 KB = {allowance:,.0f} B; bodies "
        f"/ target = {run_.body / allowance:.3f}; HTTP / target = {run_.http / allowance:.3f}"
    )
    objects = sum(f.body for f in run_.fetches if category(f.path) == "objects")
    print(f"  bytes beyond the changed objects: bodies {run_.body - objects:,} B, "
          f"HTTP {run_.http - objects:,} B")  # fmt: skip
    print()


def print_resume(results: Results) -> None:
    resume, whole = results.resume, results.uninterrupted
    if resume is None or whole is None or len(results.attempts) < 2:
        return
    first, second = results.attempts
    print(f"=== 4. resume after a cut at {CUT_AT:.0%}: {resume.changed:,} changed articles ===")
    print(
        f"  build {resume.build.seconds:.1f} s; compressed size of the changed objects "
        f"{_bytes(resume.compressed)}"
    )
    for run_ in (whole, first, second):
        print_transfer(run_)
    reused = second.result.reused if second.result else 0
    twice = first.objects_downloaded() & second.objects_downloaded()
    print(
        f"  attempt 2 took {reused:,} segments and objects from the staging; objects downloaded"
        f" in both attempts: {len(twice)}"
    )
    total = first.body + second.body
    print(f"  second attempt / uninterrupted: bodies {_ratio(second.body, whole.body):.3f}, "
          f"HTTP {_ratio(second.http, whole.http):.3f}")  # fmt: skip
    print(
        f"  both attempts / uninterrupted: bodies {_ratio(total, whole.body):.3f}, HTTP "
        f"{_ratio(first.http + second.http, whole.http):.3f}"
    )
    print()


def print_summary(results: Results) -> None:
    print("=== summary: figures next to the targets (informational, never enforced) ===")
    print(f"{'metric':52}{'figure':>22}  {'target':<26}verdict")

    def line(metric: str, figure: str, target: str = "-", ok: bool | None = None) -> None:
        verdict = "-" if ok is None else ("meets" if ok else "MISSES")
        print(f"{metric:52}{figure:>22}  {target:<26}{verdict}")

    initial, apart = results.initial, results.apart
    if initial is not None and apart is not None:
        rate = initial.items / initial.seconds
        line("initial sync: items/s applied (end to end)", f"{rate:,.0f}")
        line("initial sync: time", f"{initial.seconds:.1f} s")
        line("initial sync: bytes (bodies / HTTP)", f"{initial.body:,} / {initial.http:,}")
        line("initial sync: requests", f"{initial.requests:,}")
        line("bare bulk insert: items/s", f"{apart.bare_rate:,.0f}")
        ratio = rate / apart.bare_rate
        line("apply-rate / bare-rate", f"{ratio:.2f}", f">= {TARGET_APPLY_RATIO}",
             ratio >= TARGET_APPLY_RATIO)  # fmt: skip
        line("applying tail after the last object", f"{initial.phases['applying']:.1f} s")
    for name, run_ in (("no change", results.unchanged), ("renewed", results.renewed)):
        if run_ is None:
            continue
        probe = sum(f.requests for f in run_.fetches if category(f.path) == "root")
        line(f"{name}: requests, all", f"{run_.requests}", f"{TARGET_NO_CHANGE_REQUESTS}",
             run_.requests <= TARGET_NO_CHANGE_REQUESTS)  # fmt: skip
        line(f"{name}: requests, without the root probe", f"{run_.requests - probe}",
             f"{TARGET_NO_CHANGE_REQUESTS}",
             run_.requests - probe <= TARGET_NO_CHANGE_REQUESTS)  # fmt: skip
        line(f"{name}: bytes, bodies", f"{run_.body:,} B", f"<= {TARGET_NO_CHANGE_BYTES:,} B",
             run_.body <= TARGET_NO_CHANGE_BYTES)  # fmt: skip
        line(f"{name}: bytes, HTTP (headers included)", f"{run_.http:,} B",
             f"<= {TARGET_NO_CHANGE_BYTES:,} B", run_.http <= TARGET_NO_CHANGE_BYTES)  # fmt: skip
        if run_.wire is not None:
            line(f"{name}: bytes on the wire, TLS, both ways", f"{sum(run_.wire):,} B")
    update, run_ = results.update, results.update_sync
    if update is not None and run_ is not None:
        allowance = TARGET_CHANGE_FACTOR * update.compressed + TARGET_CHANGE_SLACK
        target = f"<= {allowance:,.0f} B"
        line(f"{CHANGED} changed: compressed size of the items", f"{update.compressed:,} B")
        line(f"{CHANGED} changed: bytes, bodies", f"{run_.body:,} B", target,
             run_.body <= allowance)  # fmt: skip
        line(f"{CHANGED} changed: bytes, HTTP", f"{run_.http:,} B", target,
             run_.http <= allowance)  # fmt: skip
        line(f"{CHANGED} changed: bodies / compressed", f"{run_.body / update.compressed:.3f}")
        line(f"{CHANGED} changed: requests", f"{run_.requests}")
    whole = results.uninterrupted
    if whole is not None and len(results.attempts) == 2:
        first, second = results.attempts
        line("resume: uninterrupted bytes (bodies)", f"{whole.body:,} B")
        line("resume: 2nd attempt / uninterrupted", f"{_ratio(second.body, whole.body):.3f}",
             f"~ {1 - CUT_AT:.1f} (the rest)")  # fmt: skip
        total = _ratio(first.body + second.body, whole.body)
        line("resume: both attempts / uninterrupted", f"{total:.3f}",
             f"~ 1 (<= {TARGET_RESUME_TOTAL})", total <= TARGET_RESUME_TOTAL)  # fmt: skip
        twice = len(first.objects_downloaded() & second.objects_downloaded())
        line("resume: objects downloaded twice", f"{twice}", "0", twice == 0)
    print("(bodies: response bodies; HTTP: status lines, headers and bodies received; TLS only")
    print(" where stated. Loopback: times show client and server work, not a network's.)")


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark syncing a library from nginx over HTTPS (figures only)."
    )
    parser.add_argument(
        "--articles", type=int, default=None, help=f"articles to publish ({DEFAULT_ARTICLES:,})"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="working folder (default: bench/out/sync-*)"
    )
    parser.add_argument("--keep", action="store_true", help="keep content, feed and libraries")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_ARTICLES} articles: a smoke run"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus and edit seed")
    args = parser.parse_args(argv)
    if args.articles is None:
        args.articles = QUICK_ARTICLES if args.quick else DEFAULT_ARTICLES
    if args.articles < MIN_ARTICLES:
        parser.error(f"--articles must be at least {MIN_ARTICLES}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for name in ("SIGTERM", "SIGHUP"):  # a finally block runs: nginx stops, files go
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _exit_on_signal)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    if args.out is None:
        DEFAULT_OUT_PARENT.mkdir(parents=True, exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix="sync-", dir=DEFAULT_OUT_PARENT))
        made_out = True
    else:
        out = args.out
        made_out = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
    work = out / f"sync-n{args.articles}"
    if work.exists():
        raise SystemExit(f"{work} already exists; remove it or choose another --out")
    results = Results(args.articles)
    try:
        results.nginx_version = _nginx_version()
        run(args, work, results)
        print_environment(args, results)
        print_setup(results)
        print_initial(results)
        print_no_change(results)
        print_update(results)
        print_resume(results)
        print_summary(results)
    except BenchError as exc:
        progress(f"error: {exc}")
        return 1
    finally:
        if args.keep:
            progress(f"content, feed, certificates and library kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            if made_out:
                shutil.rmtree(out, ignore_errors=True)
            progress("working files removed")
    return 0


def _nginx_version() -> str:
    """``nginx -v`` writes its version to stderr."""
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [find_tool("nginx"), "-v"], capture_output=True, check=False, timeout=30
    )
    return result.stderr.decode(errors="replace").strip().removeprefix("nginx version: ")


if __name__ == "__main__":
    sys.exit(main())
