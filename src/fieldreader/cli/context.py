"""What every command needs: where the library is, how to get a passphrase, where to print."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from fieldreader.cli.secrets_input import PassphraseSource
from fieldreader.paths import default_data_dir, demo_data_dir
from fieldreader.store import KdfParams, Library, open_library


@dataclass
class Context:
    data_dir: Path
    passphrases: PassphraseSource
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    kdf: KdfParams

    @classmethod
    def from_args(
        cls,
        args: argparse.Namespace,
        *,
        stdin: TextIO,
        stdout: TextIO,
        stderr: TextIO,
        kdf: KdfParams,
    ) -> Context:
        data_dir = getattr(args, "data_dir", None)
        if data_dir is None:
            # The demo's passphrase is public: it never lives where the real library does.
            data_dir = demo_data_dir() if args.command == "demo" else default_data_dir()
        source = PassphraseSource(
            passphrase_file=getattr(args, "passphrase_file", None),
            environ=dict(os.environ),
            stdin=stdin,
        )
        return cls(data_dir, source, stdin, stdout, stderr, kdf)

    def open(self) -> Library:
        return open_library(self.data_dir, self.passphrases.current())

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def interactive(self) -> bool:
        return self.stdin.isatty()
