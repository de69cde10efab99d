"""Table cells rendered once in Python: every dynamic piece goes through `escape`, and the
result is marked safe so the template prints it as is. This keeps a 50-row table to a few
variable lookups per row, which is where Django's template engine spends its time."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def text(value: str) -> str:
    """Text from Natural, isolated so its own direction controls end with it."""
    return f"<bdi>{escape(value)}</bdi>" if value else ""


def link(url: str, value: str) -> str:
    return f'<a href="{escape(url)}">{text(value)}</a>' if url else text(value)


def sub(text: str) -> str:
    return f'<div class="cell-sub">{escape(text)}</div>' if text else ""


def badge(css: str, label: str) -> str:
    return f'<span class="{escape(css)}">{escape(label)}</span>'


def when(moment: dict, default: str = "") -> str:
    return f'<time title="{escape(moment["exact"])}">{escape(moment["relative"] or default)}</time>'


def permissions(values: Iterable[str]) -> str:
    return "".join(f'<span class="perm">{escape(value)}</span>' for value in values)


def copyable_id(object_id: str) -> str:
    safe = escape(object_id)
    return (
        f'<span class="id">{safe}</span>'
        f'<button type="button" class="copy" data-copy="{safe}" aria-label="Copy id">Copy</button>'
    )


def row(*cells: tuple[str, str]) -> SafeString:
    """A `<tr>` of (class, escaped html) cells."""
    tds = "".join(
        f'<td class="{css}">{html}</td>' if css else f"<td>{html}</td>" for css, html in cells
    )
    return mark_safe(f"<tr>{tds}</tr>")  # noqa: S308 - every cell is built from escaped parts
