"""The error tree shared by the whole core.

Every error a person can cause or meet (wrong passphrase, damaged file, bad content) is a
:class:`FieldreaderError` whose message is a plain sentence safe to show and to log: messages never
contain passphrases, keys or content. Anything else that escapes is a bug.
"""


class FieldreaderError(Exception):
    """A failure the user can understand and act on."""


class ContentError(FieldreaderError):
    """Publisher content that breaks the content format; names the file and the field."""

    def __init__(self, source: str, field: str | None, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        where = f"{source}: field '{field}'" if field else source
        super().__init__(f"{where}: {problem}")


class LimitExceeded(FieldreaderError):
    """An input larger than the limits in the configuration allow."""
