"""Natural's id shapes, in one place: a known prefix, an underscore, 32 lowercase hex digits."""

from __future__ import annotations

import re

# Every kind of id a page can show or the header's id box can open.
PREFIXES = ("pty", "adl", "adi", "din", "agt", "dlg")
PATTERNS = {prefix: re.compile(rf"^{prefix}_[0-9a-f]{{32}}$") for prefix in PREFIXES}


def is_id(prefix: str, value: str | None) -> bool:
    """Whether `value` is a well-formed id of that kind (checked before any call to Natural)."""
    return bool(PATTERNS[prefix].match(value or ""))
