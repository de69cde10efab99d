"""The part of a table's query string a saved view keeps."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

# Where in the list, not which list: a saved view always opens at its first page.
PLACE_PARAMETERS = frozenset({"cursor", "offset", "trail"})
QUERY_MAX = 2000
PARAMETER_NAME = re.compile(r"^[a-z_]{1,40}$")
# static/css/app.css has a `table.hide-col-N` rule for each N up to this.
MAX_COLUMN_POSITION = 14


def view_query(query: str) -> str:
    """The part of a table's query string a view keeps: filters, sort and page size, in the
    order given; the page position and empty values are dropped."""
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=False)
        if name not in PLACE_PARAMETERS and PARAMETER_NAME.match(name)
    ]
    return urlencode(kept)


def same_query(first: str, second: str) -> bool:
    return sorted(parse_qsl(first)) == sorted(parse_qsl(second))
