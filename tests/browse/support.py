"""What the browse tests share: the requests Natural saw and their queries, htmx headers, and
the pager's links and rows."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs

AGENTS_PATH = "/agents"


def upstream(natural, *, include_agents: bool = False) -> list:
    """The Natural API requests the sandbox saw, oldest first (the cached agents list aside)."""
    return [
        record
        for record in natural.request_log_snapshot()
        if include_agents or record.path != AGENTS_PATH
    ]


def query_of(record) -> dict[str, list[str]]:
    return parse_qs(record.query, keep_blank_values=True)


def htmx(target: str, **extra: str) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Target": target, **extra}


def pager_link(body: str, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', body)
    return unescape(match.group(1)) if match else None


def row_ids(response) -> list[str]:
    return [row["id"] for row in response.context_data["rows"]]
