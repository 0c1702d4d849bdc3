"""Where passphrases come from: a file, the environment, or a prompt, in that order.

A passphrase never appears on the command line (it would sit in the shell history and in the
process list for anyone on the machine to read).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from fieldreader.errors import FieldreaderError

PASSPHRASE_ENV = "FIELDREADER_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
NEW_PASSPHRASE_ENV = "FIELDREADER_NEW_PASSPHRASE"  # noqa: S105


class PassphraseUnavailable(FieldreaderError):
    """No passphrase source was available (no file, no variable, no terminal)."""


@dataclass
class PassphraseSource:
    passphrase_file: Path | None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stdin: TextIO | None = None
    prompt: Callable[[str], str] = getpass.getpass

    def _interactive(self) -> bool:
        return self.stdin is not None and self.stdin.isatty()

    def current(self) -> str:
        """The passphrase of an existing library."""
        if self.passphrase_file is not None:
            return _read_first_line(self.passphrase_file)
        if self.environ.get(PASSPHRASE_ENV):
            return self.environ[PASSPHRASE_ENV]
        if self._interactive():
            return self.prompt("Passphrase: ")
        raise PassphraseUnavailable(
            f"No passphrase: use --passphrase-file, set {PASSPHRASE_ENV}, or run in a terminal."
        )

    def new(self, env_name: str = PASSPHRASE_ENV, *, use_file: bool = True) -> str:
        """A passphrase being chosen: typed twice at a prompt, or from a file or variable."""
        if use_file and self.passphrase_file is not None:
            chosen = _read_first_line(self.passphrase_file)
        elif self.environ.get(env_name):
            chosen = self.environ[env_name]
        elif self._interactive():
            chosen = self.prompt("New passphrase: ")
            if self.prompt("Type it again: ") != chosen:
                raise FieldreaderError("The two passphrases differ; nothing was changed.")
        else:
            raise PassphraseUnavailable(f"No new passphrase: set {env_name} or run in a terminal.")
        if not chosen:
            raise FieldreaderError("The passphrase must not be empty.")
        return chosen


def _read_first_line(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PassphraseUnavailable(
            f"Cannot read the passphrase file {path}: {exc.strerror}"
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PassphraseUnavailable(f"The passphrase file {path} is not UTF-8 text.") from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise PassphraseUnavailable(f"The passphrase file {path} is empty.")
    return line
