"""Why a feed, a bundle or a piece of one was rejected.

Each class is one reason, so the tamper tests can check that every kind of attack is caught for
the right reason, and the UI can say the right sentence. Every rejection leaves the library as it
was: verification happens before anything is applied.
"""

from fieldreader.errors import FieldreaderError


class FeedError(FieldreaderError):
    """The feed or bundle cannot be trusted or used; nothing was applied."""


class UpdateCancelled(FeedError):
    """The person cancelled; nothing was applied."""


class MalformedMetadata(FeedError):
    """Not valid metadata: bad JSON, wrong types, too deep, too large, duplicate keys."""


class UnsupportedFormat(FeedError):
    """A format version or algorithm this build does not know."""


class BadSignature(FeedError):
    """A signature does not verify for the key that claims it."""


class ThresholdNotMet(FeedError):
    """Fewer valid signatures from the role's keys than its threshold requires."""


class UnknownKey(ThresholdNotMet):
    """Signed only by keys the trusted root does not list for that role."""


class RollbackAttack(FeedError):
    """A version older than the one the library already holds."""


class FreezeAttack(FeedError):
    """Expired metadata offered by an online source (it may be hiding newer content)."""


class MixAndMatch(FeedError):
    """A piece of metadata that does not match what its signed parent says about it."""


class HashMismatch(FeedError):
    """Bytes whose hash differs from the signed one."""


class LengthExceeded(FeedError):
    """More bytes than declared or allowed; reading stopped at the limit."""


class DecompressionBomb(LengthExceeded):
    """Compressed data that expands beyond its declared size."""


class InvalidIdentifier(FeedError):
    """An id or name that could escape a path or confuse a terminal."""


class ChannelKeyMissing(FeedError):
    """A restricted channel's objects arrived but this library has no key for it."""


class DecryptionFailed(FeedError):
    """Encrypted data that does not open with the key meant for it."""


class WrongFeed(FeedError):
    """Metadata from another feed than the one the library follows."""
