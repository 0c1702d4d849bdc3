"""Builders for test items and the constants tests share."""

from __future__ import annotations

from datetime import date

from fieldreader.model import Article, ChecklistItem, Contact, Guidance, SecureChannel
from fieldreader.store import KdfParams

#: Argon2id at its minimum cost: the key-slot logic is the same, tests stay fast.
FAST_KDF = KdfParams(opslimit=1, memlimit=8 * 1024)
PASSPHRASE = "correct horse battery staple"


def article(item_id: str = "a1", **fields: object) -> Article:
    values: dict[str, object] = {
        "lang": "en",
        "title": f"Title of {item_id}",
        "body": f"Body text of {item_id} about civic space.\n",
        "summary": "A summary.",
        "published": date(2024, 3, 8),
        "tags": ("monitoring",),
        "countries": ("AF",),
    }
    values.update(fields)
    return Article(id=item_id, **values)  # type: ignore[arg-type]


def contact(item_id: str = "c1", **fields: object) -> Contact:
    values: dict[str, object] = {
        "lang": "en",
        "title": "CIVICUS Johannesburg office",
        "contact_type": "organisation",
        "role": "Global civil society alliance",
        "phones": ("+27 11 833 5959",),
        "emails": ("info@example.org",),
        "addresses": ("25 Owl Street, 6th Floor\nJohannesburg",),
        "secure_channels": (SecureChannel("signal", "+27 11 833 5959"),),
        "countries": ("ZA",),
    }
    values.update(fields)
    return Contact(id=item_id, **values)  # type: ignore[arg-type]


def guidance(item_id: str = "g1", **fields: object) -> Guidance:
    values: dict[str, object] = {
        "lang": "en",
        "title": "Laptop basics",
        "body": "Do this:\n\n- [ ] Encrypt the disk {#disk}\n- [ ] Update {#update}\n",
        "checklist": (ChecklistItem("disk", "Encrypt the disk"), ChecklistItem("update", "Update")),
    }
    values.update(fields)
    return Guidance(id=item_id, **values)  # type: ignore[arg-type]
