"""Filters for text that comes from Natural: isolated, so a bidirectional control inside it
cannot reorder the page around it, and where it matters shown with its controls spelled out."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from browse.highlight import highlight

register = template.Library()

# Bidi embeddings, overrides, isolates and marks, and zero-width characters.
CONTROLS = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@register.filter
def isolate(value) -> SafeString:
    """`<bdi>value</bdi>`: its direction is its own and ends with it."""
    if value in (None, ""):
        return conditional_escape(value if value is not None else "")
    # Escaped here (a highlighted SafeString keeps its marks); a table calls this per cell.
    return mark_safe(f"<bdi>{conditional_escape(value)}</bdi>")  # noqa: S308


@register.filter
def isolate_marked(value, query: str = "") -> SafeString:
    """`value|highlight:query|isolate` in one filter call (a table has a few per row)."""
    return isolate(highlight(value, query) if value not in (None, "") else value)


@register.filter
def show_controls(value) -> SafeString:
    """The text isolated, every invisible or direction control replaced by a visible mark."""
    text = str(conditional_escape(value if value is not None else ""))
    shown = CONTROLS.sub(
        lambda match: f'<span class="control-char">U+{ord(match.group()):04X}</span>', text
    )
    return mark_safe(f"<bdi>{shown}</bdi>")  # noqa: S308 - escaped above; the marks are ours
