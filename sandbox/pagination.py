"""Keyset pagination: items kept sorted by (createdAt, id), cursors that name the last item seen.

Pages run newest first. A cursor is the sort key of the last item on the previous page, so the
next page starts strictly below it: items added meanwhile (newer, so above the cursor) never
shift the walk, and no item is seen twice.
"""

import base64
import bisect
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.errors import ApiError, ErrorItem, invalid_parameter

SortKey = tuple[int, str]

CURSOR_PREFIX = "cur_"
# Only there to tell a cursor we issued from an edited one; nothing secret rides on it.
_CURSOR_SALT = b"natural-sandbox-cursor-v1"


class SortedIndex[T]:
    """Items sorted ascending by key; read newest first with bisect, never re-sorted."""

    def __init__(self, sort_key: Callable[[T], SortKey]) -> None:
        self._sort_key = sort_key
        self._keys: list[SortKey] = []
        self._items: dict[str, T] = {}

    def load(self, items: Iterable[T]) -> None:
        for item in items:
            self._items[self._sort_key(item)[1]] = item
        self._keys = sorted(self._sort_key(item) for item in self._items.values())

    def add(self, item: T) -> None:
        key = self._sort_key(item)
        if key[1] in self._items:
            raise ValueError(f"duplicate id {key[1]}")
        self._items[key[1]] = item
        bisect.insort(self._keys, key)

    def get(self, item_id: str) -> T | None:
        return self._items.get(item_id)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return self.newest_first()

    def newest_first(self, below: SortKey | None = None) -> Iterator[T]:
        start = len(self._keys) if below is None else bisect.bisect_left(self._keys, below)
        for position in range(start - 1, -1, -1):
            yield self._items[self._keys[position][1]]

    def page(
        self,
        *,
        below: SortKey | None,
        limit: int,
        include: Callable[[T], bool] | None = None,
    ) -> "Page[T]":
        items: list[T] = []
        for item in self.newest_first(below):
            if include is not None and not include(item):
                continue
            if len(items) == limit:
                return Page(items, has_more=True, last_key=self._sort_key(items[-1]))
            items.append(item)
        return Page(items, has_more=False, last_key=None)


@dataclass
class Page[T]:
    items: list[T]
    has_more: bool
    last_key: SortKey | None


def encode_cursor(scope: str, key: SortKey) -> str:
    payload = json.dumps({"s": scope, "t": key[0], "id": key[1]}, separators=(",", ":"))
    token = f"{payload}|{_signature(payload)}".encode()
    return CURSOR_PREFIX + base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode_cursor(scope: str, cursor: str) -> SortKey:
    """The sort key a cursor carries; 400 invalid_pagination_cursor if it is not one of ours."""
    try:
        if not cursor.startswith(CURSOR_PREFIX):
            raise ValueError("prefix")
        raw = cursor.removeprefix(CURSOR_PREFIX)
        token = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        payload, signature = token.rsplit("|", 1)
        if signature != _signature(payload):
            raise ValueError("signature")
        data: dict[str, Any] = json.loads(payload)
        if data["s"] != scope or not isinstance(data["t"], int) or not isinstance(data["id"], str):
            raise ValueError("scope")
        return data["t"], data["id"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ApiError(
            ErrorItem(
                "invalid_pagination_cursor",
                400,
                "The cursor is not valid for this list. Start again without a cursor.",
                parameter="cursor",
            )
        ) from exc


def _signature(payload: str) -> str:
    return hashlib.sha256(_CURSOR_SALT + payload.encode()).hexdigest()[:16]


def parse_limit(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100:
        raise invalid_parameter("limit", "limit must be an integer between 1 and 100.")
    return int(raw)


def pagination_meta(scope: str, page: Page[Any], *, snake_case: bool) -> dict[str, Any]:
    next_cursor = encode_cursor(scope, page.last_key) if page.last_key is not None else None
    if snake_case:
        return {"pagination": {"has_more": page.has_more, "next_cursor": next_cursor}}
    return {"pagination": {"hasMore": page.has_more, "nextCursor": next_cursor}}
