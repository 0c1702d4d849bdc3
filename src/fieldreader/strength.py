"""A rough passphrase strength hint for the first-run screen.

Not a guarantee: it estimates the guesses a careful attacker with a good word list would need,
pessimistically, so that a weak choice is called weak. Argon2id makes each guess cost about half
a second of a laptop, which is why "good" starts lower than for a website password.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_COMMON = frozenset(
    {
        "password",
        "passphrase",
        "123456",
        "12345678",
        "qwerty",
        "azerty",
        "letmein",
        "welcome",
        "admin",
        "iloveyou",
        "fieldreader",
    }
)


@dataclass(frozen=True)
class Strength:
    score: int
    """0 (very weak) to 4 (strong)."""
    bits: float


def passphrase_strength(text: str) -> Strength:
    stripped = text.strip()
    if not stripped:
        return Strength(0, 0.0)
    words = stripped.split()
    if len(words) >= 3:
        # Diceware-like: assume each word is one of ~7,776 common words.
        bits = sum(min(12.9, 4.0 * len(set(w))) for w in words)
    else:
        pool = 0
        pool += 26 if any(c.islower() for c in stripped) else 0
        pool += 26 if any(c.isupper() for c in stripped) else 0
        pool += 10 if any(c.isdigit() for c in stripped) else 0
        pool += 33 if any(not c.isalnum() and c.isascii() for c in stripped) else 0
        pool += 100 if any(not c.isascii() for c in stripped) else 0
        distinct = len(set(stripped.lower()))
        bits = min(len(stripped), distinct * 2) * math.log2(max(pool, 2)) * 0.5
    if stripped.lower().rstrip("0123456789!") in _COMMON:
        bits = min(bits, 8.0)
    score = 0 if bits < 28 else 1 if bits < 36 else 2 if bits < 48 else 3 if bits < 64 else 4
    return Strength(score, round(bits, 1))
