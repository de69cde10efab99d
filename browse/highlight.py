"""Matches of the query marked in a value, with everything else escaped."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def highlight(text: str, query: str) -> SafeString:
    """`text` with each case-insensitive occurrence of `query` wrapped in <mark>.

    The spans are found in the raw text and every piece is escaped on its own, so a name such
    as `<script>` stays text and a query such as `amp` never matches inside an `&amp;`.
    """
    text = text or ""
    if not query:
        return escape(text)
    pieces = []
    position = 0
    for match in re.finditer(re.escape(query), text, flags=re.IGNORECASE):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped
