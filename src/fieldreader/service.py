"""What the desktop reader asks of the core, in one place, as plain Python.

The UI calls these methods on its worker thread (the thread that owns the open library) and
shows what they return; it never runs SQL, renders Markdown or touches the network itself. Kept
free of Qt so every behaviour here is tested without a display.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from fieldreader.anchors import Quote
from fieldreader.errors import FieldreaderError
from fieldreader.model import Contact, Guidance, Item, Kind, is_rtl
from fieldreader.store import (
    DEFAULT_KDF,
    ItemSummary,
    KdfParams,
    Library,
    Note,
    SearchHit,
    create_library,
    open_library,
    set_attempt_limit,
    set_duress_passphrase,
)
from fieldreader.store.filters import ItemFilter
from fieldreader.store.search import parse_query
from fieldreader.sync.cancel import Cancellation

if TYPE_CHECKING:
    from fieldreader.feed.update import Progress
    from fieldreader.profile import CapturedProfile, FeedProfile
    from fieldreader.provisioning import Provisioning, Removal
    from fieldreader.sync.engine import SyncResult

# The feed engine, the sync transport (httpx) and the profile reader are imported where they
# are used, not here: the reader's window appears ~0.15 s sooner, and a library that never
# syncs never loads the network stack at all.

View = Literal["article", "guidance", "contact", "bookmarks", "notes"]
VIEWS: Final[tuple[View, ...]] = ("article", "guidance", "contact", "bookmarks", "notes")

_KIND_OF_VIEW: Final[dict[View, Kind]] = {
    "article": "article",
    "guidance": "guidance",
    "contact": "contact",
}
_SETTINGS_KEY = "ui-settings"
_STORED_PROFILE_KEY = "sync-profile"
"""The sync profile itself, with its root and CA (see ``stored_profile_json`` in profile)."""
_PROFILE_KEY = "sync-profile-path"
"""Where a library set up before profiles were kept inside it reads its profile at each sync."""
_LAST_SYNC_KEY = "last-sync"


@dataclass(frozen=True)
class Settings:
    """Reader preferences. Kept inside the encrypted library, never in the system's settings
    store, so nothing on disk says how (or that) fieldreader was used."""

    idle_lock_minutes: int = 5
    theme: Literal["system", "light", "dark"] = "system"
    text_scale: float = 1.0
    auto_sync: bool = False

    def to_json(self) -> str:
        return json.dumps(
            {
                "idle_lock_minutes": self.idle_lock_minutes,
                "theme": self.theme,
                "text_scale": self.text_scale,
                "auto_sync": self.auto_sync,
            }
        )

    @classmethod
    def from_json(cls, text: str | None) -> Settings:
        """Unknown or broken values fall back to the defaults: a setting must never lock
        someone out of their library."""
        default = cls()
        try:
            raw = json.loads(text) if text else {}
        except json.JSONDecodeError:
            return default
        if not isinstance(raw, dict):
            return default
        minutes = raw.get("idle_lock_minutes")
        theme = raw.get("theme")
        scale = raw.get("text_scale")
        return cls(
            idle_lock_minutes=minutes
            if type(minutes) is int and 1 <= minutes <= 240
            else default.idle_lock_minutes,
            theme=theme if theme in ("system", "light", "dark") else default.theme,
            text_scale=float(scale)
            if isinstance(scale, int | float) and 0.5 <= scale <= 3.0
            else default.text_scale,
            auto_sync=raw.get("auto_sync") is True,
        )


@dataclass(frozen=True)
class Overview:
    """Counts for the sidebar and values for its filter menus."""

    counts: dict[View, int]
    languages: list[tuple[str, int]]
    countries: list[tuple[str, int]]
    tags: list[tuple[str, int]]


@dataclass(frozen=True)
class Page:
    """One item, ready to show."""

    item: Item
    html: str
    """Sanitised HTML of the body (empty for a contact without notes)."""
    rtl: bool
    translations: list[ItemSummary]
    bookmarked: bool
    position: float | None
    notes: list[Note]
    checklist_done: int = 0
    checklist_total: int = 0
    resources: dict[str, bytes] = field(default_factory=dict, repr=False)
    """The library's images the HTML refers to (``res:`` address to bytes), read here so the
    reader pane never has to reach into the store while it lays out the page."""
    highlight: list[str] = field(default_factory=list)
    """Words to mark in the text (from the search that led here); a trailing ``*`` means any
    word starting with what precedes it."""


@dataclass(frozen=True)
class SyncStatus:
    configured: bool
    profile: str | None
    mirrors: tuple[str, ...]
    channels: tuple[str, ...] | None
    last_sync: str | None
    """ISO time of the last successful sync, if any."""
    problem: str | None = None
    """Why the stored profile cannot be used now (moved, damaged), in plain words."""
    proxy: str | None = None
    """The profile's proxy: None (direct), "tor", "tor-browser" or a socks5h:// address."""
    keyed_channels: tuple[str, ...] = ()
    """Restricted channels the profile holds a key for (names only, never the keys)."""


class ReaderService:
    """The open library as the reader sees it. One thread at a time, like the library, with
    one exception: :meth:`sync` runs on a thread of its own, on a connection of its own, so
    reading, searching and saving notes go on while it downloads."""

    def __init__(self, library: Library, now: Callable[[], datetime] | None = None) -> None:
        self.library = library
        self._now = now or (lambda: datetime.now(UTC))
        self._sync_guard = threading.Lock()
        """Held by a running sync; :meth:`close` takes it, so the library closes after it."""
        self._closed = False
        self.trainer_files: Removal | None = None
        """Set by :func:`create_reader` when a trainer's build's first start removed (or could
        not remove) the build's profile and preload from the app folder."""

    # Browsing

    def overview(self) -> Overview:
        content, userdata = self.library.content, self.library.userdata
        counts: dict[View, int] = {
            "article": content.count(ItemFilter(kind="article")),
            "guidance": content.count(ItemFilter(kind="guidance")),
            "contact": content.count(ItemFilter(kind="contact")),
            "bookmarks": len(userdata.bookmarks()),
            "notes": len(userdata.notes()),
        }
        return Overview(
            counts,
            content.facet_values("lang"),
            content.facet_values("country"),
            content.facet_values("tag"),
        )

    def list_items(
        self,
        view: View,
        filters: ItemFilter = ItemFilter(),
        *,
        limit: int = -1,
        offset: int = 0,
    ) -> list[ItemSummary]:
        """The items of one sidebar section, narrowed by ``filters`` (its kind is ignored),
        ``limit`` at a time from ``offset`` (a section of a large library is read in pages).

        Bookmarks come most recently bookmarked first; the other sections newest first.
        """
        kind = _KIND_OF_VIEW.get(view)
        if kind is not None:
            return self.library.content.list_items(
                _with_kind(filters, kind), limit=limit, offset=offset
            )
        if view == "bookmarks":
            ids = [b.item_id for b in self.library.userdata.bookmarks() if b.item_exists]
        else:
            ids = list(
                dict.fromkeys(
                    n.item_id
                    for n in self.library.userdata.notes()
                    if n.item_id is not None and n.item_exists
                )
            )
        found = {
            s.id: s for s in self.library.content.list_items(_with_kind(filters, None), ids=ids)
        }
        ordered = [found[i] for i in ids if i in found]
        return ordered[offset:] if limit < 0 else ordered[offset : offset + limit]

    def open(self, item_id: str, query: str = "") -> Page:
        """Everything the reader pane shows for ``item_id``.

        Raises:
            FieldreaderError: the item is not (or no longer) in the library.
        """
        item = self.library.content.get(item_id)
        if item is None:
            raise FieldreaderError("This item is no longer in the library.")
        userdata = self.library.userdata
        ticks = userdata.ticks(item.id)
        steps = item.checklist if isinstance(item, Guidance) else ()
        from fieldreader.render import render_markdown  # noqa: PLC0415 - first open, not start

        html = render_markdown(item.body, item.lang, ticked=ticks) if item.body else ""
        resources = {}
        for address in dict.fromkeys(_RESOURCE_SRC.findall(html)):
            data = self.library.resource(address)
            if data is not None:
                resources[address] = data
        return Page(
            item=item,
            html=html,
            resources=resources,
            rtl=is_rtl(item.lang),
            translations=self.library.content.translations(item.id),
            bookmarked=userdata.is_bookmarked(item.id),
            position=userdata.position(item.id),
            notes=userdata.notes(item.id),
            checklist_done=sum(1 for s in steps if s.id in ticks),
            checklist_total=len(steps),
            highlight=highlight_words(query),
        )

    def search(
        self, text: str, filters: ItemFilter = ItemFilter(), limit: int = 50, offset: int = 0
    ) -> list[SearchHit]:
        return self.library.search(text, filters, limit, offset)

    # Reading state

    def toggle_bookmark(self, item_id: str) -> bool:
        """Returns whether the item is bookmarked now."""
        userdata = self.library.userdata
        if userdata.is_bookmarked(item_id):
            userdata.remove_bookmark(item_id)
            return False
        userdata.add_bookmark(item_id)
        return True

    def set_position(self, item_id: str, position: float) -> None:
        self.library.userdata.set_position(item_id, min(1.0, max(0.0, position)))

    def toggle_step(self, item_id: str, step_id: str) -> Page:
        """Tick or untick one checklist step and return the page drawn again."""
        item = self.library.content.get(item_id)
        if not isinstance(item, Guidance) or step_id not in {s.id for s in item.checklist}:
            raise FieldreaderError("This checklist step is not in the lesson any more.")
        ticked = step_id in self.library.userdata.ticks(item_id)
        self.library.userdata.set_tick(item_id, step_id, not ticked)
        return self.open(item_id)

    # Notes

    def add_note(self, body: str, item_id: str | None, quote: Quote | None = None) -> Note:
        return self.library.userdata.add_note(body, item_id, quote)

    def save_note(self, note_id: int, body: str) -> Note:
        return self.library.userdata.update_note(note_id, body)

    def delete_note(self, note_id: int) -> None:
        self.library.userdata.delete_note(note_id)

    def notes(self, item_id: str | None = None) -> list[Note]:
        return self.library.userdata.notes(item_id)

    # Settings and sync

    def settings(self) -> Settings:
        return Settings.from_json(self.library.userdata.preference(_SETTINGS_KEY))

    def save_settings(self, settings: Settings) -> None:
        self.library.userdata.set_preference(_SETTINGS_KEY, settings.to_json())

    def set_sync_profile(self, path: Path) -> SyncStatus:
        """Check the provisioning profile at ``path`` and keep it, with its root and CA, in
        the library.

        Syncs use the kept copy and never read the file again, so the person can delete it (it
        holds the channel keys in plain text). Choosing a profile again replaces the copy.

        Raises:
            ProfileError: the profile does not load; the one kept before stays.
        """
        from fieldreader.profile import capture_profile  # noqa: PLC0415

        self._keep_profile(capture_profile(path))
        return self.sync_status()

    def _keep_profile(self, captured: CapturedProfile) -> None:
        """Store ``captured`` with where it came from, for display only.

        A profile in the folder that holds the library's folder (a portable app folder) is
        named relative to the library, so the name still makes sense when the USB stick is
        mounted somewhere else.
        """
        from fieldreader.profile import stored_profile_json  # noqa: PLC0415

        resolved, folder = captured.profile.path, self.library.paths.root.resolve()
        inside = resolved.is_relative_to(folder.parent)
        source = os.path.relpath(resolved, folder) if inside else str(resolved)
        self.library.set_meta(_STORED_PROFILE_KEY, stored_profile_json(captured, source))

    def _profile_path(self, stored: str) -> str:
        path = Path(stored)
        return str(path if path.is_absolute() else (self.library.paths.root / path).resolve())

    def _sync_profile(self) -> tuple[FeedProfile, str] | None:
        """The profile syncs use and where it was chosen from; None when none was.

        Raises:
            ProfileError: the kept copy is damaged; or, for a library set up before profiles
                were kept in it, the file it names cannot be read or has a wrong setting.
        """
        from fieldreader.profile import load_profile, load_stored_profile  # noqa: PLC0415

        stored = self.library.get_meta(_STORED_PROFILE_KEY)
        if stored is not None:
            profile, source = load_stored_profile(stored)
            return profile.feed, self._profile_path(source)
        legacy = self.library.get_meta(_PROFILE_KEY)
        if legacy is None:
            return None
        path = self._profile_path(legacy)
        return load_profile(Path(path)), path

    def sync_status(self) -> SyncStatus:
        last = self.library.get_meta(_LAST_SYNC_KEY)
        try:
            found = self._sync_profile()
        except FieldreaderError as exc:
            legacy = self.library.get_meta(_PROFILE_KEY)
            shown = (
                self._profile_path(legacy)
                if legacy is not None and self.library.get_meta(_STORED_PROFILE_KEY) is None
                else None
            )
            return SyncStatus(False, shown, (), None, last, problem=str(exc))
        if found is None:
            return SyncStatus(False, None, (), None, last)
        profile, shown = found
        return SyncStatus(
            True,
            shown,
            profile.mirrors,
            profile.channels,
            last,
            proxy=profile.proxy,
            keyed_channels=tuple(sorted(profile.channel_keys)),
        )

    def sync(
        self, progress: Callable[[Progress], None], cancellation: Cancellation | None = None
    ) -> SyncResult:
        """One sync with the stored profile. Only ever called because the user asked (a click,
        or the auto-sync switch they turned on).

        Call it on a thread of its own: it works on a sibling connection, and every other
        method stays usable on the reader's thread meanwhile (reads see the library as it was
        until the sync commits). ``progress`` is called on the sync's thread. ``cancellation``
        may be set from any thread: the sync stops between files, or at once when it waits on
        the network. A cancelled or failed sync changes nothing in the library but keeps what
        it staged, so the next one resumes; the last-sync time moves only when a sync
        completes.

        Raises:
            FieldreaderError: not set up, or the profile cannot be read any more.
            FeedError: what :func:`~fieldreader.sync.engine.sync_library` raises
                (:class:`~fieldreader.feed.errors.UpdateCancelled` when cancelled).
        """
        from fieldreader.feed.errors import UpdateCancelled  # noqa: PLC0415

        cancellation = cancellation or Cancellation()
        with self._sync_guard:
            if self._closed or cancellation.is_set():
                raise UpdateCancelled("The update was cancelled; the library is unchanged.")
            # Its own connection: the sync's transaction stays open while it downloads, and
            # the reader's connection keeps reading the library as it was meanwhile.
            with self.library.sibling() as library:
                return ReaderService(library, self._now)._sync_here(progress, cancellation)

    def _sync_here(
        self, progress: Callable[[Progress], None], cancellation: Cancellation
    ) -> SyncResult:
        from fieldreader.feed.errors import UpdateCancelled  # noqa: PLC0415
        from fieldreader.feed.update import UpdateOptions  # noqa: PLC0415
        from fieldreader.sync.engine import sync_library  # noqa: PLC0415

        found = self._sync_profile()
        if found is None:
            raise FieldreaderError("Sync is not set up: choose the profile your trainer gave you.")
        profile = found[0]
        if cancellation.is_set():
            raise UpdateCancelled("The update was cancelled; the library is unchanged.")
        options = UpdateOptions(
            now=self._now(),
            online=True,
            trusted_root=profile.root,
            channels=profile.channels,
            channel_keys=profile.channel_keys,
            progress=progress,
            cancelled=cancellation.is_set,
        )
        result = sync_library(self.library, profile.transport(), options, cancellation)
        self.library.set_meta(_LAST_SYNC_KEY, self._now().isoformat(timespec="seconds"))
        # The same memory the command line keeps, so `fieldreader status` names it too.
        self.library.set_meta(f"last-mirror:{result.update.feed}", result.mirror)
        return result

    def close(self) -> None:
        """Close the library once a running sync has let go of it (cancel that first: this
        waits for it). A sync asked for after this is refused as cancelled."""
        with self._sync_guard:
            self._closed = True
            self.library.close()


def create_reader(
    data_dir: Path,
    passphrase: str,
    *,
    duress: str | None = None,
    wipe_after: int | None = None,
    start_with: Literal["sample", "empty", "preloaded"] = "sample",
    sample: Path | None = None,
    provisioning: Provisioning | None = None,
    kdf: KdfParams = DEFAULT_KDF,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[ReaderService, Settings]:
    """First run: create the library, add the protections asked for, then fill it.

    ``progress(done, total, step)`` names the step with a key ("protect", "duress", or an
    import phase: "metadata", "index", "objects", "applying") for the UI to put in words.

    With ``provisioning`` (a trainer's build), the library keeps the build's profile (with its
    root and CA) for sync and starts with its auto-lock time; ``start_with="preloaded"``
    imports the build's bundle after verifying it against the profile's root. The library gets
    its own fresh master key and identity all the same: a build carries content, never keys.

    Once the library holds all the build gave it (the preload imported, or no preload in the
    build) the profile, its files and the preload are overwritten and deleted from the app
    folder: unencrypted, they would show the content and the channel keys to whoever holds
    the stick. What became of them is in the service's ``trainer_files``; a folder that cannot
    be changed (a read-only stick) does not fail the first start. A build whose preload the
    person did not take keeps its files, so a later first start (after a wipe) can take it.

    If filling fails the library stays (empty, protected) and the error is raised: the next
    start unlocks it rather than asking to set everything up again.

    Raises:
        ProfileError: ``"preloaded"`` and the build's profile is missing or wrong (nothing
            is created).
    """
    from fieldreader.preload import import_preload  # noqa: PLC0415
    from fieldreader.provisioning import remove_trainer_files  # noqa: PLC0415
    from fieldreader.sample import import_sample  # noqa: PLC0415

    report = progress or (lambda done, total, text: None)
    profile, preload = _provisioned(provisioning, preloaded=start_with == "preloaded")

    def step(p: Progress) -> None:
        report(p.done, p.total, p.phase)

    report(0, 0, "protect")
    library = create_library(data_dir, passphrase, kdf)
    try:
        if duress:
            report(0, 0, "duress")
            set_duress_passphrase(data_dir, passphrase, duress, kdf)
        if wipe_after:
            set_attempt_limit(data_dir, wipe_after)
        service = ReaderService(library)
        if profile is not None:
            service._keep_profile(profile)
            if profile.profile.idle_lock_minutes is not None:
                minutes = profile.profile.idle_lock_minutes
                service.save_settings(
                    dataclasses.replace(service.settings(), idle_lock_minutes=minutes)
                )
        if start_with == "sample":
            import_sample(library, sample, progress=step)
        elif profile is not None and preload is not None:
            now = datetime.now(UTC)
            import_preload(library, profile.profile, preload, now=now, progress=step)
        # Only once the library holds everything the build gave: its preload, if it has one.
        if provisioning is not None and profile is not None and provisioning.preload == preload:
            service.trainer_files = remove_trainer_files(provisioning, profile.files)
    except BaseException:
        library.close()
        raise
    return service, service.settings()


def _provisioned(
    provisioning: Provisioning | None, *, preloaded: bool
) -> tuple[CapturedProfile | None, Path | None]:
    """The build's profile as read (None without one), and its preload when ``preloaded``.

    A profile that does not load is an error when the preload needs it; otherwise it is left
    out, and the person can choose a profile in the sync panel later.
    """
    from fieldreader.profile import capture_profile  # noqa: PLC0415

    if provisioning is None or provisioning.profile is None:
        if preloaded:
            raise FieldreaderError("This copy of fieldreader carries no preloaded library.")
        return None, None
    if not preloaded:
        try:
            return capture_profile(provisioning.profile), None
        except FieldreaderError:
            return None, None
    if provisioning.preload is None:
        raise FieldreaderError("This copy of fieldreader carries no preloaded library.")
    return capture_profile(provisioning.profile), provisioning.preload


def unlock_reader(data_dir: Path, passphrase: str) -> tuple[ReaderService, Settings]:
    """Later runs: unlock (Argon2id: about half a second) and read the reader's settings."""
    service = ReaderService(open_library(data_dir, passphrase))
    return service, service.settings()


def contact_fields(contact: Contact) -> list[tuple[str, str]]:
    """The copyable details of a contact card, labelled, in the order a card shows them."""
    rows = [
        *(("phone", p) for p in contact.phones),
        *(("email", e) for e in contact.emails),
        *(("address", a.strip()) for a in contact.addresses),
        *((c.type, c.value) for c in contact.secure_channels),
    ]
    return [(label, value) for label, value in rows if value]


_RESOURCE_SRC = re.compile(r'src="(res:[^"]+)"')
_WORD = re.compile(r"\w+")


def highlight_words(query: str) -> list[str]:
    """The words of a search to mark in the article it opened, phrases split into words."""
    words: list[str] = []
    for term in parse_query(query):
        found = _WORD.findall(term.text)
        if found and term.prefix:
            found[-1] += "*"
        words += found
    return list(dict.fromkeys(words))


def _with_kind(filters: ItemFilter, kind: Kind | None) -> ItemFilter:
    return dataclasses.replace(filters, kind=kind)
