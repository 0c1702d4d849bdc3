"""The command line: everything that is not reading, scriptable, with plain messages.

Exit codes: 0 success; 1 an error explained on stderr; 2 wrong usage; 3 wrong passphrase;
4 a damaged library (key slots or database).
"""

from fieldreader.cli.main import main, run

__all__ = ["main", "run"]
