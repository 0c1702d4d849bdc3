"""Filters shared by listing and searching, and the SQL fragments that apply them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldreader.model import Kind


@dataclass(frozen=True)
class ItemFilter:
    """Narrow a list or a search; None means "any". All given conditions must hold."""

    kind: Kind | None = None
    lang: str | None = None
    country: str | None = None
    tag: str | None = None
    date_from: date | None = None
    """Inclusive, on the item's date (published, else updated)."""
    date_to: date | None = None
    """Inclusive."""

    def where(self, alias: str = "i") -> tuple[str, dict[str, Any]]:
        """A SQL condition over ``items AS alias``, with its parameters (bound, never spliced)."""
        clauses = ["1"]
        params: dict[str, Any] = {}
        if self.kind is not None:
            clauses.append(f"{alias}.kind = :f_kind")
            params["f_kind"] = self.kind
        if self.lang is not None:
            clauses.append(f"{alias}.lang = :f_lang")
            params["f_lang"] = self.lang
        if self.country is not None:
            clauses.append(
                f"EXISTS (SELECT 1 FROM item_countries c WHERE c.seq = {alias}.seq "
                "AND c.country = :f_country)"
            )
            params["f_country"] = self.country.upper()
        if self.tag is not None:
            clauses.append(
                f"EXISTS (SELECT 1 FROM item_tags t WHERE t.seq = {alias}.seq AND t.tag = :f_tag)"
            )
            params["f_tag"] = self.tag.casefold()
        if self.date_from is not None:
            clauses.append(f"{alias}.item_date >= :f_from")
            params["f_from"] = self.date_from.isoformat()
        if self.date_to is not None:
            clauses.append(f"{alias}.item_date <= :f_to")
            params["f_to"] = self.date_to.isoformat()
        return " AND ".join(clauses), params
