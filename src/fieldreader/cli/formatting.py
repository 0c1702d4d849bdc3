"""Items as plain text for a terminal."""

from __future__ import annotations

from fieldreader.model import Contact, Item


def format_item(item: Item, translations: dict[str, str]) -> str:
    lines = [item.title, "=" * min(len(item.title), 78)]
    meta = [item.kind, item.lang]
    date = getattr(item, "published", None) or item.updated
    if date:
        meta.append(date.isoformat())
    lines.append(" · ".join(meta))
    if translations:
        lines.append("Also in: " + ", ".join(f"{lang} ({i})" for lang, i in translations.items()))
    if item.tags:
        lines.append("Tags: " + ", ".join(item.tags))
    if isinstance(item, Contact):
        details = [
            ("Type", item.contact_type),
            ("Role", item.role),
            ("Organisation", item.organisation),
            ("Region", item.region),
            *(("Phone", p) for p in item.phones),
            *(("E-mail", e) for e in item.emails),
            *(("Address", a.replace("\n", ", ").strip(", ")) for a in item.addresses),
            *((c.type.capitalize(), c.value) for c in item.secure_channels),
        ]
        lines += [f"{label}: {value}" for label, value in details if value]
    if item.summary:
        lines += ["", item.summary]
    if item.body:
        lines += ["", item.body.rstrip()]
    return "\n".join(lines)
