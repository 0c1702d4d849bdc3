"""What a trainer has on the desk: a published feed, its root, a bundle, a profile, a built app.

Shared by the profile, provisioning, build and portable-session tests. Everything is real: the
feed is built and signed by the publisher, the bundle packed by ``create_bundle``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feedkit import CHANNEL, CHANNEL_KEY, start_feed, write_article, write_contact, write_guidance
from fieldreader.feed.bundle import create_bundle

NOW = datetime.now(UTC) - timedelta(hours=1)
"""When the kit's feed is built: valid for the whole run."""
PUBLIC_ARTICLES = ("field-report-1", "field-report-2")
RESTRICTED_ARTICLE = "staff-only"
ORGANISATION = "Example Rights Network"
APP_EXECUTABLE = "fieldreader"
MIRROR = "https://feed.example.org/"
"""Named in profiles, never contacted: nothing in these tests syncs."""


@dataclass(frozen=True)
class TrainerKit:
    base: Path
    feed: Path
    keydir: Path
    root: Path
    """``root.json``: the feed's first root, as the publisher hands it to the trainer."""
    bundle: Path
    """A full bundle of the feed (every channel)."""

    @property
    def root_bytes(self) -> bytes:
        return self.root.read_bytes()


def write_content(content: Path) -> None:
    for item_id in PUBLIC_ARTICLES:
        write_article(content, item_id, f"Report {item_id} from the district office.")
    write_article(content, RESTRICTED_ARTICLE, "Names of the staff on duty.", channel=CHANNEL)
    write_guidance(content)
    write_contact(content)


def make_kit(base: Path) -> TrainerKit:
    keydir, _, feed = start_feed(base, write_content, NOW)
    desk = base / "desk"
    desk.mkdir()
    root = desk / "root.json"
    shutil.copy(feed / "root" / "1.root.json", root)
    bundle = desk / "library.frb"
    create_bundle(feed, bundle, now=NOW)
    return TrainerKit(base, feed, keydir, root, bundle)


def profile_text(
    *,
    root: str | None = "root.json",
    proxy: str = "tor",
    channel_key: bool = True,
    portable: bool | None = None,
    idle: int | None = 9,
    organisation: str | None = ORGANISATION,
    ca_file: str | None = None,
) -> str:
    """A whole profile, every section in use unless switched off."""
    lines = []
    if organisation is not None:
        lines += ["[organisation]", f'name = "{organisation}"', ""]
    lines += ["[feed]", f'mirrors = ["{MIRROR}"]', f'proxy = "{proxy}"']
    if root is not None:
        lines.append(f'root = "{root}"')
    if ca_file is not None:
        lines.append(f'ca_file = "{ca_file}"')
    if channel_key:
        lines += ["", "[channel_keys]", f'{CHANNEL} = "{CHANNEL_KEY.hex()}"']
    if idle is not None:
        lines += ["", "[ui]", f"idle_lock_minutes = {idle}"]
    if portable is not None:
        lines += ["", "[build]", f"portable = {'true' if portable else 'false'}"]
    return "\n".join(lines) + "\n"


def write_profile(folder: Path, kit: TrainerKit, text: str, name: str = "org.toml") -> Path:
    """``folder/name`` holding ``text``, with the kit's ``root.json`` beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "root.json").exists():
        shutil.copy(kit.root, folder / "root.json")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def fake_app(folder: Path) -> Path:
    """A stand-in for PyInstaller's one-folder output: an executable and its ``_internal``."""
    folder.mkdir(parents=True)
    program = folder / APP_EXECUTABLE
    program.write_text("#!/bin/sh\necho fieldreader\n", encoding="utf-8")
    program.chmod(0o755)
    internal = folder / "_internal"
    internal.mkdir()
    (internal / "base_library.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    return folder


def secrets_of(kit: TrainerKit) -> list[bytes]:
    """What a seized stick must not show once a first start has imported the kit's preload:
    every title and body the preload carries, the restricted channel's key (as the profile
    writes it and raw), the organisation's name, and runs of the preload's own bytes (its
    objects are compressed, so a copy of it would not show a title)."""
    titles = [f"Title of {item}" for item in (*PUBLIC_ARTICLES, RESTRICTED_ARTICLE)]
    bodies = [f"Report {item} from the district office." for item in PUBLIC_ARTICLES]
    texts = [*titles, *bodies, "Names of the staff on duty.", "Laptop basics"]
    texts += ["Digital safety desk", "+1 202 555 0143", ORGANISATION, CHANNEL_KEY.hex()]
    bundle = kit.bundle.read_bytes()
    step = max(1, len(bundle) // 16)
    runs = [bundle[start : start + 48] for start in range(0, len(bundle) - 48, step)]
    return [*(t.encode("utf-8") for t in texts), CHANNEL_KEY, *runs]


def files_holding(folders: list[Path], needles: list[bytes]) -> list[str]:
    """Every file under ``folders`` that contains one of ``needles``, with the first found."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                hit = next((n for n in needles if n in data), None)
                if hit is not None:
                    found.append(f"{path}: {hit[:40]!r}")
    return found
