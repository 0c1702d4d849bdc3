"""MirrorSource against real servers: nginx over TLS with a throwaway CA, an nginx that
intercepts TLS with another valid certificate, microsocks as the SOCKS5 proxy, and a TCP relay
that drops connections mid-body. What each server received is read from its own access log."""

from __future__ import annotations

import contextlib
import resource
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldreader.feed.errors import FeedError, LengthExceeded, UpdateCancelled
from fieldreader.feed.source import NotInSource
from fieldreader.sync import (
    USER_AGENT,
    CachedFile,
    MirrorsExhausted,
    MirrorSource,
    PinMismatch,
    ProxyUnavailable,
    TlsError,
    TransportConfig,
    TransportError,
)
from sync.servers import BLOB, BLOB_PATH, TIMESTAMP, MakeRelay, Nginx, Pki, Socks, free_port

BIG = 1 << 20
"""A max_bytes comfortably above every test file."""


def configure(pki: Pki, *mirrors: str, **options: Any) -> TransportConfig:
    options.setdefault("ca_file", pki.ca)
    return TransportConfig(list(mirrors), **options)


class Pauses:
    """Records the pauses a source asks for instead of sleeping; optionally a fake clock."""

    def __init__(self, tick: float = 0.0) -> None:
        self.taken: list[float] = []
        self.now = 0.0
        self._tick = tick

    def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        self.now += self._tick
        return self.now


def source_for(config: TransportConfig, pauses: Pauses | None = None, **extra: Any) -> MirrorSource:
    return MirrorSource(config, sleep=pauses or Pauses(), random=lambda: 0.5, **extra)


# --- the good path and what is sent ----------------------------------------------------------


def test_a_file_arrives_whole_over_verified_tls(nginx: Nginx, pki: Pki) -> None:
    mark = nginx.mark()
    with source_for(configure(pki, nginx.url("feed"))) as source:
        assert source.fetch(BLOB_PATH, BIG) == BLOB
        assert source.fetch("timestamp.json", BIG) == TIMESTAMP
        assert source.last_mirror == nginx.url("feed")
        assert source.requests == 2
        assert source.bytes_received == len(BLOB) + len(TIMESTAMP)
        assert source.stats.http_bytes_received > source.bytes_received  # and headers
        assert source.stats.connections == 1  # the second request reused the connection
    logged = nginx.since(mark)
    assert [(e.uri, e.status) for e in logged] == [
        (f"/feed/{BLOB_PATH}", 200),
        ("/feed/timestamp.json", 200),
    ]


def test_session_keys_are_never_logged_even_if_the_environment_asks(
    nginx: Nginx, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keylog = tmp_path / "keys.log"
    monkeypatch.setenv("SSLKEYLOGFILE", str(keylog))
    with source_for(configure(pki, nginx.url("feed"))) as source:
        assert source.fetch("timestamp.json", BIG) == TIMESTAMP
    assert not keylog.exists()


def test_requests_carry_a_fixed_user_agent_and_nothing_else(
    nginx: Nginx, pki: Pki, relay_to: MakeRelay
) -> None:
    # Plain HTTP through a relay shows the exact bytes; the mirror sets a cookie every time.
    relay = relay_to(nginx.plain_port)
    config = configure(pki, relay.url("cookie", "http"), allow_plain_http_loopback=True)
    with source_for(config) as source:
        assert source.fetch(BLOB_PATH, BIG) == BLOB
        assert source.fetch(BLOB_PATH, BIG) == BLOB
    sent = b"".join(relay.from_clients).decode()
    request = (
        f"GET /cookie/{BLOB_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{relay.port}\r\n"
        f"User-Agent: {USER_AGENT}\r\n\r\n"
    )
    assert sent == request * 2  # no cookie sent back, no Accept-*, no other header


def test_over_tls_too_no_cookie_is_kept_and_the_agent_is_generic(nginx: Nginx, pki: Pki) -> None:
    mark = nginx.mark()
    with source_for(configure(pki, nginx.url("cookie"))) as source:
        source.fetch(BLOB_PATH, BIG)
        source.fetch(BLOB_PATH, BIG)
    logged = nginx.since(mark)
    assert [(e.user_agent, e.cookie) for e in logged] == [("fieldreader", "")] * 2


def test_plain_http_needs_the_test_only_option(nginx: Nginx, pki: Pki) -> None:
    with pytest.raises(TransportError, match="plain HTTP"):
        configure(pki, nginx.plain_url("feed"))


# --- answers that are not the file -----------------------------------------------------------


def test_a_missing_file_is_not_in_source_and_no_other_mirror_is_asked(
    nginx: Nginx, pki: Pki
) -> None:
    mark = nginx.mark()
    with source_for(configure(pki, nginx.url("feed"), nginx.url("slow"))) as source:
        with pytest.raises(NotInSource):
            source.fetch("root/2.root.json", BIG)
        assert source.requests == 1
    assert [(e.uri, e.status) for e in nginx.since(mark)] == [("/feed/root/2.root.json", 404)]


def test_a_failing_mirror_is_retried_with_jittered_backoff_then_the_next_serves(
    nginx: Nginx, pki: Pki
) -> None:
    mark = nginx.mark()
    pauses = Pauses()
    config = configure(pki, nginx.url("fail503"), nginx.url("feed"), retries=2, backoff_base=1)
    with source_for(config, pauses) as source:
        assert source.fetch(BLOB_PATH, BIG) == BLOB
        assert source.last_mirror == nginx.url("feed")
        # Full jitter: uniform up to 1 s, then up to 2 s; random() is 0.5 here.
        assert pauses.taken == [0.5, 1.0]
        # The mirror that answered is asked first from now on.
        assert source.fetch("timestamp.json", BIG) == TIMESTAMP
    logged = [(e.uri, e.status) for e in nginx.since(mark)]
    assert logged == [(f"/fail503/{BLOB_PATH}", 503)] * 3 + [
        (f"/feed/{BLOB_PATH}", 200),
        ("/feed/timestamp.json", 200),
    ]


def test_when_every_mirror_fails_the_error_names_each_mirror_and_reason(
    nginx: Nginx, pki: Pki
) -> None:
    config = configure(pki, nginx.url("fail500"), nginx.url("fail503"), retries=1)
    with source_for(config) as source, pytest.raises(MirrorsExhausted) as caught:
        source.fetch(BLOB_PATH, BIG)
    error = caught.value
    assert isinstance(error, FeedError)
    assert [(f.mirror, f.error) for f in error.failures] == [
        (nginx.url("fail500"), TransportError),
        (nginx.url("fail503"), TransportError),
    ]
    message = str(error)
    assert f"{nginx.url('fail500')}: The server answered 500 Internal Server Error" in message
    assert f"{nginx.url('fail503')}: The server answered 503 Service Unavailable" in message
    assert "tried 2 times" in message
    assert not error.intercepted


def test_a_single_failing_mirror_raises_its_own_error(nginx: Nginx, pki: Pki) -> None:
    source = source_for(configure(pki, nginx.url("fail500"), retries=0))
    with source, pytest.raises(TransportError, match="500 Internal Server Error") as caught:
        source.fetch(BLOB_PATH, BIG)
    assert not isinstance(caught.value, MirrorsExhausted)
    assert nginx.url("fail500") in str(caught.value)


# --- limits ----------------------------------------------------------------------------------


def test_a_declared_length_over_the_limit_is_refused_before_the_body(
    nginx: Nginx, pki: Pki
) -> None:
    with source_for(configure(pki, nginx.url("feed"), nginx.url("slow"))) as source:
        with pytest.raises(LengthExceeded):
            source.fetch(BLOB_PATH, len(BLOB) - 1)
        assert source.bytes_received == 0
        assert source.requests == 1


def test_without_a_declared_length_reading_stops_at_the_limit(nginx: Nginx, pki: Pki) -> None:
    # nginx's SSI filter sends these files chunked, without Content-Length.
    with source_for(configure(pki, nginx.url("chunked"))) as source:
        with pytest.raises(LengthExceeded):
            source.fetch(BLOB_PATH, 1000)
        assert 0 < source.bytes_received < len(BLOB) // 2
        assert source.fetch(BLOB_PATH, len(BLOB)) == BLOB


def test_a_bandwidth_cap_paces_reading(nginx: Nginx, pki: Pki) -> None:
    pauses = Pauses()
    config = configure(pki, nginx.url("feed"), bandwidth_limit=64 * 1024)
    with source_for(config, pauses, clock=pauses.clock) as source:
        assert source.fetch(BLOB_PATH, BIG) == BLOB
    # One second's worth arrives at once, the rest at the cap (the clock is the pauses' own).
    assert sum(pauses.taken) == pytest.approx((len(BLOB) - 64 * 1024) / (64 * 1024))


# --- aborting --------------------------------------------------------------------------------


def test_abort_cuts_a_stalled_download_and_sends_nothing_after(
    nginx: Nginx, pki: Pki, relay_to: MakeRelay
) -> None:
    """A read waiting on a stalled network fails at once when the sync is aborted from another
    thread, long before its timeout; nothing is sent afterwards, on any mirror."""
    relay = relay_to(nginx.port)
    config = configure(pki, relay.url("feed"), nginx.url("feed"), read_timeout=600, retries=3)
    outcome: list[BaseException | bytes] = []
    with source_for(config) as source:
        assert source.fetch("timestamp.json", BIG) == TIMESTAMP  # the connection is up
        relay.hold()  # nothing passes from now on, either way

        def fetch() -> None:
            try:
                outcome.append(source.fetch(BLOB_PATH, BIG))
            except BaseException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=fetch)
        worker.start()
        while source.requests < 2:  # the download has started (and can only wait now)
            time.sleep(0.01)
        mark = nginx.mark()
        source.abort()
        # Not a speed check: without the abort the read waits ten minutes, or until the relay
        # gives up on its idle sockets after 30 s; with it, the thread ends at once.
        worker.join(timeout=20)
        assert not worker.is_alive()
        (caught,) = outcome
        assert isinstance(caught, UpdateCancelled)
        with pytest.raises(UpdateCancelled):
            source.fetch(BLOB_PATH, BIG)
        with pytest.raises(UpdateCancelled):
            source.for_mirror(1).fetch(BLOB_PATH, BIG)
    assert nginx.since(mark) == []
    assert len(relay.from_clients) == 1  # no new connection through the relay either


@contextlib.contextmanager
def unanswered_port() -> Iterator[int]:
    """A port where a TCP handshake waits unanswered: its listener's queue is full (one
    connection nobody accepts), so the kernel drops every further SYN."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            with socket.socket() as probe:
                probe.settimeout(0.3)
                try:
                    probe.connect(("127.0.0.1", port))
                except TimeoutError:
                    pass  # the SYN was dropped, as Linux does
                except OSError as exc:
                    pytest.skip(f"this system refuses a full queue's connections ({exc})")
                else:
                    pytest.skip("this system accepts connections beyond a full queue")
            yield port


def fetch_in_thread(source: MirrorSource, outcome: list[BaseException | bytes]) -> threading.Thread:
    def fetch() -> None:
        try:
            outcome.append(source.fetch("timestamp.json", BIG))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=fetch)
    worker.start()
    return worker


def test_abort_ends_a_connection_still_being_made(pki: Pki) -> None:
    """A mirror that never answers the TCP handshake: the abort ends the wait at once, not
    after the connect timeout (ten minutes here)."""
    outcome: list[BaseException | bytes] = []
    with unanswered_port() as port:
        config = configure(pki, f"https://127.0.0.1:{port}/feed/", connect_timeout=600, retries=3)
        with source_for(config) as source:
            worker = fetch_in_thread(source, outcome)
            while source.stats.connections < 1:  # the handshake has started
                time.sleep(0.01)
            source.abort()
            worker.join(timeout=20)  # not a speed check: without the abort, ten minutes
            assert not worker.is_alive()
            assert source.stats.connections == 1  # no retry after the abort
    (caught,) = outcome
    assert isinstance(caught, UpdateCancelled)


def test_abort_ends_a_name_lookup_that_hangs(
    pki: Pki, nginx: Nginx, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resolver that never answers: the abort ends the wait; the lookup's own thread is
    left to finish by itself."""
    started, answer = threading.Event(), threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def stuck(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "localhost":
            started.set()
            answer.wait(30)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    outcome: list[BaseException | bytes] = []
    config = configure(pki, nginx.url("feed", host="localhost"), connect_timeout=600)
    with source_for(config) as source:
        worker = fetch_in_thread(source, outcome)
        assert started.wait(20)
        source.abort()
        worker.join(timeout=20)  # not a speed check: without the abort, until the answer
        assert not worker.is_alive()
    answer.set()
    (caught,) = outcome
    assert isinstance(caught, UpdateCancelled)


def answers_for(
    monkeypatch: pytest.MonkeyPatch, host: str, addresses: list[tuple[Any, ...]]
) -> None:
    """Make the name ``host`` resolve to ``addresses`` (getaddrinfo's tuples), in that order."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(name: Any, *args: Any, **kwargs: Any) -> Any:
        return addresses if name == host else real_getaddrinfo(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_an_address_that_drops_the_handshake_falls_back_to_the_next(
    pki: Pki, nginx: Nginx, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name with two addresses, the first silent (IPv6 blocked on the way, say): the
    connection is made to the second once the first has had its time."""
    tcp = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
    with unanswered_port() as silent:
        answers_for(
            monkeypatch,
            "localhost",
            [(*tcp, ("127.0.0.1", silent)), (*tcp, ("127.0.0.1", nginx.port))],
        )
        config = configure(pki, nginx.url("feed", host="localhost"), connect_timeout=0.3)
        with source_for(config) as source:
            assert source.fetch("timestamp.json", BIG) == TIMESTAMP
            assert source.requests == 1  # one attempt: the fallback is inside the connect


def test_an_address_whose_socket_cannot_be_made_falls_back_to_the_next(
    pki: Pki, nginx: Nginx, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A family the system cannot open a socket for (IPv6 switched off) is skipped."""
    answers_for(
        monkeypatch,
        "localhost",
        [
            (socket.AF_UNIX, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", "/nowhere"),
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", nginx.port)),
        ],
    )
    with source_for(configure(pki, nginx.url("feed", host="localhost"))) as source:
        assert source.fetch("timestamp.json", BIG) == TIMESTAMP


def test_a_connection_is_made_on_a_descriptor_above_1023(nginx: Nginx, pki: Pki) -> None:
    """select() cannot wait on such a descriptor; a busy process gets them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if max(soft, hard) < 1200:
        pytest.skip("this system allows too few open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [socket.socket() for _ in range(1100)]
    try:
        assert held[-1].fileno() > 1023
        with source_for(configure(pki, nginx.url("feed"))) as source:
            assert source.fetch("timestamp.json", BIG) == TIMESTAMP
    finally:
        for sock in held:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_handshake_nobody_answers_fails_after_the_connect_timeout(pki: Pki) -> None:
    with unanswered_port() as port:
        mirror = f"https://127.0.0.1:{port}/feed/"
        config = configure(pki, mirror, connect_timeout=0.2, retries=1)
        with source_for(config) as source, pytest.raises(TransportError) as caught:
            source.fetch("timestamp.json", BIG)
        assert source.stats.connections == 2  # tried, and tried again
    assert mirror in str(caught.value)


# --- resuming --------------------------------------------------------------------------------


def test_a_dropped_connection_resumes_with_a_range_for_the_rest_only(
    nginx: Nginx, pki: Pki, relay_to: MakeRelay
) -> None:
    relay = relay_to(nginx.port, cut_after=64 * 1024)
    mark = nginx.mark()
    with source_for(configure(pki, relay.url("feed"))) as source:
        assert source.fetch(BLOB_PATH, BIG) == BLOB
        first, second = source.history
        assert (first.status, first.range_start) == (200, 0)
        cut = first.body_bytes
        assert 0 < cut < len(BLOB)
        assert (second.status, second.range_start, second.body_bytes) == (206, cut, len(BLOB) - cut)
        assert source.bytes_received == len(BLOB)  # no byte twice
    logged = nginx.since(mark)
    assert len(logged) == 2
    assert (logged[1].range, logged[1].status) == (f"bytes={cut}-", 206)
    assert logged[1].sent == len(BLOB) - cut  # counted by nginx


def test_a_server_that_ignores_range_makes_the_download_start_again(
    nginx: Nginx, pki: Pki, relay_to: MakeRelay
) -> None:
    relay = relay_to(nginx.port, cut_after=64 * 1024)
    mark = nginx.mark()
    with source_for(configure(pki, relay.url("norange"))) as source:
        assert source.fetch(BLOB_PATH, BIG) == BLOB
        first, second = source.history
        assert (second.status, second.range_start) == (200, first.body_bytes)
        assert source.bytes_received == first.body_bytes + len(BLOB)
    logged = nginx.since(mark)
    assert (logged[1].range, logged[1].status, logged[1].sent) == (
        f"bytes={first.body_bytes}-",
        200,
        len(BLOB),
    )


def test_a_slow_mirror_times_out_and_the_next_mirror_resumes_the_download(
    nginx: Nginx, pki: Pki
) -> None:
    # nginx sends /slow/ at 4 KiB/s; a read waits at most 0.5 s.
    mark = nginx.mark()
    config = configure(pki, nginx.url("slow"), nginx.url("feed"), read_timeout=0.5, retries=1)
    with source_for(config) as source:
        assert source.fetch(BLOB_PATH, BIG) == BLOB
        slow1, slow2, good = source.history
        assert (slow1.mirror, slow2.mirror, good.mirror) == (
            nginx.url("slow"),
            nginx.url("slow"),
            nginx.url("feed"),
        )
        assert slow1.range_start == 0
        assert 0 < slow2.range_start < good.range_start < len(BLOB)
        assert (good.status, good.body_bytes) == (206, len(BLOB) - good.range_start)
        assert source.bytes_received == len(BLOB)
    feed_lines = [e for e in nginx.since(mark) if e.uri.startswith("/feed/")]
    assert [(e.range, e.status, e.sent) for e in feed_lines] == [
        (f"bytes={good.range_start}-", 206, len(BLOB) - good.range_start)
    ]


def test_a_download_left_unfinished_resumes_in_a_later_run(nginx: Nginx, pki: Pki) -> None:
    config = configure(pki, nginx.url("slow"), read_timeout=0.5, retries=0)
    with source_for(config) as source, pytest.raises(TransportError, match="in time") as caught:
        source.fetch(BLOB_PATH, BIG)
    partial = caught.value.partial
    assert 0 < len(partial) < len(BLOB)
    assert partial == BLOB[: len(partial)]
    assert str(caught.value).count("\\x") == 0  # no bytes in the message

    mark = nginx.mark()
    with source_for(configure(pki, nginx.url("feed"))) as later:
        assert later.fetch(BLOB_PATH, BIG, already=partial) == BLOB
        assert later.bytes_received == len(BLOB) - len(partial)
        assert later.fetch(BLOB_PATH, BIG, already=BLOB) == BLOB  # 416: nothing was missing
    logged = nginx.since(mark)
    assert [(e.range, e.status) for e in logged] == [
        (f"bytes={len(partial)}-", 206),
        (f"bytes={len(BLOB)}-", 416),
    ]


def test_a_trickle_is_cut_off_by_the_attempt_limit_and_what_arrived_is_kept(
    nginx: Nginx, pki: Pki
) -> None:
    # A clock that jumps 10 s per reading: every attempt overruns after its first chunk.
    pauses = Pauses(tick=10.0)
    config = configure(pki, nginx.url("feed"), attempt_timeout=5, retries=1)
    with source_for(config, pauses, clock=pauses.clock) as source:
        with pytest.raises(TransportError, match="too slowly") as caught:
            source.fetch(BLOB_PATH, BIG)
        first, second = source.history
        assert second.range_start == first.body_bytes > 0
        assert caught.value.partial == BLOB[: first.body_bytes + second.body_bytes]


# --- conditional requests --------------------------------------------------------------------


def test_the_timestamp_is_fetched_only_when_it_changed(nginx: Nginx, pki: Pki) -> None:
    nginx.put("cond", "timestamp.json", b'{"version": 1}')
    memory: dict[str, CachedFile] = {}
    mark = nginx.mark()
    config = configure(pki, nginx.url("cond"))
    with source_for(config, validators=memory) as source:
        assert source.fetch("timestamp.json", BIG) == b'{"version": 1}'
        received = source.bytes_received
        assert source.fetch("timestamp.json", BIG) == b'{"version": 1}'
        assert source.bytes_received == received  # 304: no body
    with source_for(config, validators=memory) as later_run:  # the memory outlives a source
        assert later_run.fetch("timestamp.json", BIG) == b'{"version": 1}'
        nginx.put("cond", "timestamp.json", b'{"version": 2, "longer": true}')
        assert later_run.fetch("timestamp.json", BIG) == b'{"version": 2, "longer": true}'
    etag = memory[nginx.url("cond") + "timestamp.json"].etag
    logged = nginx.since(mark)
    assert [e.status for e in logged] == [200, 304, 304, 200]
    assert logged[0].if_none_match == ""
    assert logged[1].if_none_match == logged[2].if_none_match != etag  # etag changed at 4


def test_conditional_requests_can_be_turned_off(nginx: Nginx, pki: Pki) -> None:
    mark = nginx.mark()
    config = configure(pki, nginx.url("feed"), conditional_requests=False)
    with source_for(config) as source:
        source.fetch("timestamp.json", BIG)
        source.fetch("timestamp.json", BIG)
    assert [(e.status, e.if_none_match) for e in nginx.since(mark)] == [(200, "")] * 2


# --- certificates and pins -------------------------------------------------------------------


def test_a_mirror_pinned_to_its_key_or_a_backup_list_is_accepted(nginx: Nginx, pki: Pki) -> None:
    for pins in ([pki.server_pin], [pki.interceptor_pin, pki.server_pin]):
        config = configure(pki, nginx.url("feed"), pins={nginx.url("feed"): pins})
        with source_for(config) as source:
            assert source.fetch("timestamp.json", BIG) == TIMESTAMP


def test_an_intercepting_proxy_is_refused_before_the_request_is_sent(
    nginx: Nginx, pki: Pki
) -> None:
    mirror = nginx.intercepted_url("feed")
    mark = nginx.mark(intercepted=True)
    config = configure(pki, mirror, pins={mirror: [pki.server_pin]}, retries=3)
    with source_for(config) as source:
        with pytest.raises(PinMismatch) as caught:
            source.fetch("timestamp.json", BIG)
        assert source.requests == 1  # never retried on the same mirror
        assert source.stats.connections == 1
    assert str(caught.value).startswith(
        "The connection is being intercepted: the server's certificate is not the expected one."
    )
    assert nginx.since(mark, intercepted=True) == []  # the path never reached it


def test_the_same_interceptor_is_accepted_by_an_unpinned_client(nginx: Nginx, pki: Pki) -> None:
    mark = nginx.mark(intercepted=True)
    with source_for(configure(pki, nginx.intercepted_url("feed"))) as source:
        assert source.fetch("timestamp.json", BIG) == TIMESTAMP
    assert [e.uri for e in nginx.since(mark, intercepted=True)] == ["/feed/timestamp.json"]


def test_an_intercepted_mirror_is_skipped_for_the_next_one(nginx: Nginx, pki: Pki) -> None:
    bad, good = nginx.intercepted_url("feed"), nginx.url("feed")
    pins = {bad: [pki.server_pin], good: [pki.server_pin]}
    with source_for(configure(pki, bad, good, pins=pins)) as source:
        assert source.fetch("timestamp.json", BIG) == TIMESTAMP
        assert source.last_mirror == good
        assert [(r.mirror, r.status) for r in source.history] == [(bad, None), (good, 200)]


def test_when_every_mirror_is_intercepted_the_message_says_so(nginx: Nginx, pki: Pki) -> None:
    one, two = nginx.intercepted_url("feed"), nginx.intercepted_url("cookie")
    pins = {one: [pki.server_pin], two: [pki.server_pin]}
    source = source_for(configure(pki, one, two, pins=pins))
    with source, pytest.raises(MirrorsExhausted) as caught:
        source.fetch("timestamp.json", BIG)
    assert caught.value.intercepted
    assert str(caught.value).startswith("The connection is being intercepted")
    assert {f.error for f in caught.value.failures} == {PinMismatch}


def test_a_certificate_from_an_unknown_authority_is_refused_once(nginx: Nginx, pki: Pki) -> None:
    mark = nginx.mark()
    with source_for(configure(pki, nginx.url("feed"), ca_file=None, retries=2)) as source:
        with pytest.raises(TlsError, match="could not be verified") as caught:
            source.fetch("timestamp.json", BIG)
        assert source.requests == 1
    assert not isinstance(caught.value, PinMismatch)
    assert nginx.since(mark) == []


# --- SOCKS5 ----------------------------------------------------------------------------------


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name this process resolves from now on."""
    seen: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_gethostbyname = socket.gethostbyname

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(host.decode() if isinstance(host, bytes) else str(host))
        return real_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host: str) -> str:
        seen.append(host)
        return real_gethostbyname(host)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
    return seen


def test_without_a_proxy_the_mirror_name_is_resolved_here(
    nginx: Nginx, pki: Pki, lookups: list[str]
) -> None:
    # The control for the test below: the recorder does see the transport's own lookups.
    with source_for(configure(pki, nginx.url("feed", host="localhost"))) as source:
        assert source.fetch("timestamp.json", BIG) == TIMESTAMP
    assert "localhost" in lookups


def test_through_socks_the_proxy_resolves_the_mirror_name(
    nginx: Nginx, pki: Pki, socks: Socks, lookups: list[str]
) -> None:
    mirror = nginx.url("feed", host="localhost")
    mark = nginx.mark()
    config = configure(pki, mirror, proxy=socks.proxy, pins={mirror: [pki.server_pin]})
    with source_for(config) as source:
        assert source.fetch(BLOB_PATH, BIG) == BLOB
        assert source.stats.connections == 1  # to the proxy
    assert "localhost" not in lookups
    assert [(e.uri, e.status) for e in nginx.since(mark)] == [(f"/feed/{BLOB_PATH}", 200)]


def test_with_the_proxy_stopped_nothing_goes_out_directly(
    nginx: Nginx, pki: Pki, socks: Socks, lookups: list[str]
) -> None:
    socks.stop()
    mark = nginx.mark()
    mirrors = (nginx.url("feed", host="localhost"), nginx.url("feed"))
    with source_for(configure(pki, *mirrors, proxy=socks.proxy, retries=2)) as source:
        with pytest.raises(ProxyUnavailable, match=r"proxy at 127\.0\.0\.1:\d+ is not reachable"):
            source.fetch("timestamp.json", BIG)
        assert source.stats.connections == 1  # one attempt, at the proxy; no mirror tried
    assert "localhost" not in lookups
    assert nginx.since(mark) == []


def test_a_mirror_the_proxy_cannot_reach_is_a_mirror_failure(
    pki: Pki, socks: Socks, lookups: list[str]
) -> None:
    closed = f"https://localhost:{free_port(ipv6=False)}/feed/"
    source = source_for(configure(pki, closed, proxy=socks.proxy, retries=1))
    with source, pytest.raises(TransportError, match="proxy could not reach the mirror") as caught:
        source.fetch("timestamp.json", BIG)
    assert not isinstance(caught.value, ProxyUnavailable)
    assert "localhost" not in lookups


def test_a_proxy_that_accepts_but_never_answers_is_unavailable(
    nginx: Nginx, pki: Pki, lookups: list[str]
) -> None:
    # The kernel completes the TCP handshake on a listening socket nobody accepts from.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        proxy = f"socks5h://127.0.0.1:{silent.getsockname()[1]}"
        mark = nginx.mark()
        config = configure(pki, nginx.url("feed", host="localhost"), proxy=proxy, read_timeout=0.5)
        with source_for(config) as source:
            with pytest.raises(ProxyUnavailable, match="did not answer in time during the SOCKS5"):
                source.fetch("timestamp.json", BIG)
            assert source.stats.connections == 1
    assert "localhost" not in lookups
    assert nginx.since(mark) == []


def test_a_proxy_address_that_is_not_socks_is_unavailable(nginx: Nginx, pki: Pki) -> None:
    # nginx's TLS port answers the SOCKS5 greeting with a TLS alert, then closes.
    mark = nginx.mark()
    proxy = f"socks5h://127.0.0.1:{nginx.port}"
    with source_for(configure(pki, nginx.url("feed"), proxy=proxy, retries=2)) as source:
        with pytest.raises(ProxyUnavailable, match="proxy") as caught:
            source.fetch("timestamp.json", BIG)
        assert source.stats.connections == 1
    # nginx logs the SOCKS5 greeting as a malformed request; no feed path ever reached it.
    assert [(e.uri, e.status) for e in nginx.since(mark)] == [("", 400)]
    assert "timestamp" not in str(caught.value)


def test_a_view_on_one_mirror_shares_connections_and_counters(nginx: Nginx, pki: Pki) -> None:
    config = configure(pki, nginx.url("fail503"), nginx.url("feed"))
    with source_for(config) as source:
        view = source.for_mirror(1)
        assert view.mirrors == (nginx.url("feed"),)
        assert view.fetch("timestamp.json", BIG) == TIMESTAMP
        view.close()  # a view closes nothing
        assert view.fetch("timestamp.json", BIG) == TIMESTAMP
        again = source.for_mirror(1)
        assert again.fetch("timestamp.json", BIG) == TIMESTAMP
        assert source.requests == 3
        assert source.stats.connections == 1
