"""The sentence a person reads when a sync fails is chosen by the error's type, is calm and
specific, says whether the library changed, and never repeats what an unknown error said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fieldreader.errors import FieldreaderError
from fieldreader.feed.errors import (
    BadSignature,
    ChannelKeyMissing,
    DecompressionBomb,
    DecryptionFailed,
    FeedError,
    FreezeAttack,
    HashMismatch,
    MalformedMetadata,
    MixAndMatch,
    RollbackAttack,
    ThresholdNotMet,
    UnknownKey,
    UnsupportedFormat,
    UpdateCancelled,
    WrongFeed,
)
from fieldreader.feed.source import NotInSource
from fieldreader.feed.update import ChannelKeyUnchecked, NotTrusted
from fieldreader.profile import ProfileError
from fieldreader.store.errors import DiskFull, FeedConflict
from fieldreader.sync import (
    MirrorFailure,
    MirrorsExhausted,
    PinMismatch,
    ProxyUnavailable,
    TlsError,
    TransportConfigError,
    TransportError,
    UntrustedCertificate,
)
from fieldreader.sync.messages import (
    SENTENCES,
    Problem,
    Since,
    SyncMessage,
    Unit,
    describe_failure,
    fill,
    parse_time,
    size_text,
    time_since,
)

INTERCEPTED = (
    "The connection is being intercepted: the server's certificate is not the expected one. "
    "Nothing was changed."
)
A = "https://a.example.org/"
B = "https://b.example.net/feed/"


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (UpdateCancelled("x"), Problem.CANCELLED),
        (PinMismatch("x"), Problem.INTERCEPTED),
        (UntrustedCertificate("x"), Problem.INTERCEPTED),
        (TlsError("x"), Problem.NO_SECURE_CONNECTION),
        (ProxyUnavailable("x"), Problem.PROXY_UNREACHABLE),
        (TransportError("x"), Problem.UNREACHABLE),
        (RollbackAttack("x"), Problem.OLDER_CONTENT),
        (FreezeAttack("x"), Problem.OLDER_CONTENT),
        (BadSignature("x"), Problem.REFUSED),
        (ThresholdNotMet("x"), Problem.REFUSED),
        (UnknownKey("x"), Problem.REFUSED),
        (HashMismatch("x"), Problem.REFUSED),
        (MixAndMatch("x"), Problem.REFUSED),
        (DecompressionBomb("x"), Problem.REFUSED),
        (MalformedMetadata("x"), Problem.REFUSED),
        (FeedError("x"), Problem.REFUSED),
        (DecryptionFailed("x"), Problem.CHANNEL_KEY),
        (ChannelKeyMissing("x"), Problem.CHANNEL_KEY),
        (ChannelKeyUnchecked("x"), Problem.CHANNEL_KEY),
        (NotTrusted("x"), Problem.NOT_TRUSTED),
        (WrongFeed("x"), Problem.WRONG_FEED),
        (UnsupportedFormat("x"), Problem.NEWER_FORMAT),
        (NotInSource("x"), Problem.NOT_ON_MIRROR),
        (DiskFull("x"), Problem.DISK_FULL),
    ],
)
def test_each_kind_of_failure_has_its_sentence(error: Exception, problem: Problem) -> None:
    message = describe_failure(error)
    assert message.problem is problem
    assert message.args == ()
    assert message.text == SENTENCES[problem]


def test_every_sentence_says_what_became_of_the_library() -> None:
    for problem, sentence in SENTENCES.items():
        if problem is Problem.PROFILE:
            continue  # the profile's own error says what is wrong; a sync never started
        assert "changed" in sentence or "nothing was sent" in sentence, problem
        assert len(sentence) < 200, problem


def test_the_interception_sentence_is_the_one_the_product_promises() -> None:
    assert describe_failure(PinMismatch("anything")).text == INTERCEPTED


def test_tor_is_named_when_the_profile_goes_through_tor() -> None:
    down = ProxyUnavailable("The proxy at 127.0.0.1:9050 is not reachable")
    assert describe_failure(down, "tor").problem is Problem.TOR_NOT_RUNNING
    assert describe_failure(down, "tor-browser").problem is Problem.TOR_NOT_RUNNING
    assert describe_failure(down, "socks5h://10.0.0.1:1080").problem is Problem.PROXY_UNREACHABLE
    assert describe_failure(down).problem is Problem.PROXY_UNREACHABLE
    assert "Start Tor" in describe_failure(down, "tor").text


def exhausted(*failures: MirrorFailure) -> MirrorsExhausted:
    return MirrorsExhausted("the feed", failures)


def down(mirror: str) -> MirrorFailure:
    return MirrorFailure(mirror, "The server answered 503 (tried 3 times).", TransportError)


def test_several_mirrors_down_is_no_mirror_could_be_reached_with_one_line_each() -> None:
    message = describe_failure(exhausted(down(A), down(B)))
    assert message.problem is Problem.UNREACHABLE
    assert message.text.startswith("No mirror could be reached")
    assert message.details == (
        f"{A}: The server answered 503 (tried 3 times).",
        f"{B}: The server answered 503 (tried 3 times).",
    )


def test_an_interception_on_any_mirror_outranks_an_outage() -> None:
    pinned = MirrorFailure(B, "intercepted", PinMismatch)
    assert describe_failure(exhausted(down(A), pinned)).text == INTERCEPTED
    untrusted = MirrorFailure(B, "could not be verified", UntrustedCertificate)
    assert describe_failure(exhausted(untrusted, down(A))).problem is Problem.INTERCEPTED


def test_a_stale_mirror_is_older_content_even_when_another_is_down() -> None:
    stale = MirrorFailure(A, "older", TransportError, RollbackAttack)
    message = describe_failure(exhausted(stale, down(B)))
    assert message.problem is Problem.OLDER_CONTENT
    assert message.text.startswith("A mirror offered older content than you have")
    frozen = MirrorFailure(A, "expired", TransportError, FreezeAttack)
    assert describe_failure(exhausted(frozen)).problem is Problem.OLDER_CONTENT


def test_tampered_content_outranks_a_stale_mirror() -> None:
    stale = MirrorFailure(A, "older", TransportError, RollbackAttack)
    tampered = MirrorFailure(B, "hash", TransportError, HashMismatch)
    assert describe_failure(exhausted(stale, tampered)).problem is Problem.REFUSED


def test_a_proxy_that_is_down_is_named_rather_than_every_mirror() -> None:
    proxied = [MirrorFailure(m, "proxy", ProxyUnavailable) for m in (A, B)]
    assert describe_failure(exhausted(*proxied), "tor").problem is Problem.TOR_NOT_RUNNING


def test_a_profile_error_keeps_its_own_sentence(tmp_path: Path) -> None:
    error = ProfileError(tmp_path / "org.toml", "feed.mirrors", "needs at least one entry")
    message = describe_failure(error)
    assert message.problem is Problem.PROFILE
    assert message.text == (
        "The sync profile cannot be used: org.toml: 'feed.mirrors': needs at least one entry"
    )


def test_unusable_connection_settings_are_a_profile_problem_in_the_transports_words() -> None:
    error = TransportConfigError("Mirrors must use https://, not 'http://a.example/'.")
    message = describe_failure(error)
    assert message.problem is Problem.PROFILE
    assert message.text.endswith("Mirrors must use https://, not 'http://a.example/'.")


def test_our_own_errors_are_shown_and_anything_else_only_by_its_kind() -> None:
    conflict = describe_failure(FeedConflict("Item 'x' is already in the library."))
    assert conflict.problem is Problem.LIBRARY
    assert "Item 'x' is already in the library." in conflict.text
    assert describe_failure(FieldreaderError("Plain words.")).args == ("Plain words.",)

    leaky = describe_failure(OSError(13, "Permission denied: /home/someone/secret-notes"))
    assert leaky.problem is Problem.UNEXPECTED
    assert leaky.text == (
        "The sync stopped because of an unexpected error (PermissionError). Nothing was changed."
    )
    assert "secret" not in leaky.text
    assert describe_failure(KeyError("token=abc")).args == ("KeyError",)


def test_fill_replaces_numbered_placeholders_without_touching_the_values() -> None:
    assert fill("%1 and %2", ("a %2", "b")) == "a %2 and b"
    assert SyncMessage(Problem.PROFILE, ("x",)).text == "The sync profile cannot be used: x"


NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "since"),
    [
        (timedelta(seconds=0), Since(0, Unit.JUST_NOW)),
        (timedelta(seconds=59), Since(0, Unit.JUST_NOW)),
        (timedelta(minutes=1), Since(1, Unit.MINUTES)),
        (timedelta(minutes=59, seconds=59), Since(59, Unit.MINUTES)),
        (timedelta(hours=2, minutes=40), Since(2, Unit.HOURS)),
        (timedelta(hours=23, minutes=59), Since(23, Unit.HOURS)),
        (timedelta(days=1), Since(1, Unit.DAYS)),
        (timedelta(days=40), Since(40, Unit.DAYS)),
        (timedelta(hours=-3), Since(0, Unit.JUST_NOW)),  # the clock was set back
    ],
)
def test_time_since_in_the_largest_unit_that_fits(ago: timedelta, since: Since) -> None:
    assert time_since(NOW - ago, NOW) == since


def test_parse_time_takes_what_the_service_stores_and_ignores_the_rest() -> None:
    assert parse_time("2024-06-01T12:00:00+00:00") == NOW
    for bad in (None, "", "yesterday", "2024-06-01T12:00:00"):  # the last has no zone
        assert parse_time(bad) is None


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1 KB"),
        (340_500, "340 KB"),
        (1_000_000, "1.0 MB"),
        (2_449_999, "2.4 MB"),
        (12_600_000, "12 MB"),
    ],
)
def test_sizes_in_decimal_units(count: int, text: str) -> None:
    assert size_text(count) == text
