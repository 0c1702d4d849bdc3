"""The sample library as a signed bundle, built from its source with the public demo keys.

The bundle is built at install and packaging time (``python -m fieldreader.sample``), then
imported by ``fieldreader load-sample`` through the same verification as any bundle. The demo
root is trusted only for the sample's own feed id, and only by that command.
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from fieldreader.errors import FieldreaderError
from fieldreader.feed.bundle import BundleSource, create_bundle
from fieldreader.feed.keys import read_key
from fieldreader.feed.publisher import build_feed
from fieldreader.feed.update import (
    ProgressCallback,
    UpdateOptions,
    UpdateResult,
    update_library,
)
from fieldreader.feed.verify import load_trusted_root
from fieldreader.store import Library

SAMPLE_FEED_ID = "fieldreader-sample"
BUNDLE_NAME = "sample.frb"


class SampleMissing(FieldreaderError):
    """The sample bundle was not built in this installation."""


def package_resources() -> Path:
    return Path(str(resources.files("fieldreader") / "resources"))


def build_sample_bundle(out: Path, work_dir: Path, now: datetime | None = None) -> Path:
    """Publish the sample source into ``work_dir`` as a feed, then pack it into ``out``."""
    moment = now or datetime.now(UTC)
    res = package_resources()
    if work_dir.exists() and any(work_dir.iterdir()):
        if not (work_dir / "root" / "1.root.json").is_file():
            raise FieldreaderError(f"{work_dir} is not a sample feed folder; it was left alone.")
        shutil.rmtree(work_dir)
    build_feed(
        res / "sample",
        work_dir,
        res / "demo-keys",
        now=moment,
        feed_id=SAMPLE_FEED_ID,
        root_days=3650,
    )
    create_bundle(work_dir, out, now=moment)
    return out


def import_sample(
    library: Library, bundle: Path | None = None, progress: ProgressCallback | None = None
) -> UpdateResult:
    """Verify and apply the sample bundle, trusting the demo root for the sample feed only."""
    path = bundle or package_resources() / BUNDLE_NAME
    if not path.is_file():
        raise SampleMissing(
            "The sample library bundle is not built in this installation "
            "(run 'python -m fieldreader.sample')."
        )
    source = BundleSource.open(path)
    first_root = source.fetch("root/1.root.json", 64 * 1024)
    root = load_trusted_root(first_root)
    demo_root_key = read_key(package_resources() / "demo-keys", "root").keyid
    if root.feed != SAMPLE_FEED_ID or root.roles["root"].keyids != (demo_root_key,):
        raise FieldreaderError("The sample bundle is not signed with the sample's demo key.")
    options = UpdateOptions(
        now=datetime.now(UTC),
        online=False,
        trusted_root=first_root,
        sealed_ok=True,
        progress=progress,
    )
    return update_library(library, source, options)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else package_resources() / BUNDLE_NAME
    work = Path(args[1]) if len(args) > 1 else Path("build") / "sample-feed"
    build_sample_bundle(out, work)
    print(f"Built {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
