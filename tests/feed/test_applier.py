"""The applier: items go into the open transaction on their own thread; failures come back."""

from __future__ import annotations

import time
from typing import Any

import pytest

from factories import article
from fieldreader.feed.applier import BATCH_ITEMS, QUEUED_BATCHES, Applier
from fieldreader.store import ApplyResult, Library
from fieldreader.store.errors import FeedConflict


def test_every_item_added_is_applied_once_finish_returns(library: Library) -> None:
    count = BATCH_ITEMS * 3 + 5
    with library.transaction(), Applier(library, "org") as applier:
        for n in range(count):
            applier.add(article(f"a{n}", title=f"Report {n}"), f"{n:064x}")
        totals = applier.finish()

    assert totals is not None
    assert (totals.added, totals.updated, totals.unchanged) == (count, 0, 0)
    assert library.content.count() == count
    assert library.feeds.object_hashes("org")["a7"] == f"{7:064x}"


def add_until_refused(applier: Applier) -> None:
    """Keep adding new items; the store's failure with an earlier one must come back here."""
    deadline = time.monotonic() + 30
    n = 0
    while time.monotonic() < deadline:
        applier.add(article(f"b{n}"), f"{n:064x}")
        n += 1


def apply_conflicting(library: Library) -> None:
    with library.transaction(), Applier(library, "org") as applier:
        applier.add(article("taken", title="From the feed"), "0" * 64)
        # Later items are refused once the thread has failed, without waiting for finish().
        with pytest.raises(FeedConflict):
            add_until_refused(applier)
        applier.finish()


def test_a_store_failure_stops_the_update_and_nothing_is_kept(library: Library) -> None:
    library.content.apply([article("taken", title="Loaded locally")])

    with pytest.raises(FeedConflict):
        apply_conflicting(library)

    assert library.content.count() == 1
    assert library.feeds.object_hashes("org") == {}


def fail_while_applying(library: Library, batches: int = 2) -> None:
    with library.transaction(), Applier(library, "org") as applier:
        for n in range(BATCH_ITEMS * batches):
            applier.add(article(f"c{n}"), f"{n:064x}")
        raise RuntimeError("download failed")


def test_leaving_early_stops_the_thread_before_the_rollback(library: Library) -> None:
    with pytest.raises(RuntimeError, match="download failed"):
        fail_while_applying(library)

    assert library.content.count() == 0
    assert library.integrity_problems() == []


@pytest.fixture
def slow_store(library: Library, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each call into the store takes 50 ms (a batch still being written when the update is
    cancelled); the list records the calls."""
    calls: list[int] = []
    apply = library.content.apply

    def slow_apply(*args: Any, **kwargs: Any) -> ApplyResult:
        calls.append(1)
        time.sleep(0.05)
        return apply(*args, **kwargs)

    monkeypatch.setattr(library.content, "apply", slow_apply)
    return calls


def test_an_abandoned_update_skips_what_is_still_queued(
    library: Library, slow_store: list[int]
) -> None:
    with pytest.raises(RuntimeError, match="download failed"):
        fail_while_applying(library, batches=QUEUED_BATCHES)

    assert len(slow_store) < QUEUED_BATCHES
    assert library.content.count() == 0


def test_a_cancel_while_the_store_catches_up_drops_the_rest(
    library: Library, slow_store: list[int]
) -> None:
    with library.transaction(), Applier(library, "org") as applier:
        for n in range(BATCH_ITEMS * QUEUED_BATCHES):
            applier.add(article(f"e{n}"), f"{n:064x}")
        assert applier.finish(lambda: True) is None

    assert len(slow_store) < QUEUED_BATCHES
