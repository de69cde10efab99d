"""One date format: relative words in a <time datetime> whose title is the exact UTC time."""

from __future__ import annotations

import re

TIME = re.compile(r"<time\b([^>]*)>(.*?)</time>", re.S)
RELATIVE = re.compile(r"^(in .+|.+ ago|just now|in a moment)$")
EXACT = re.compile(r'title="\d{4}-\d\d-\d\d \d\d:\d\d UTC[^"]*"')
RAW_DATE = re.compile(r"\b\d{4}-\d\d-\d\d(T\d\d:\d\d)?\b|\b\d{1,2} [A-Z][a-z]{2} \d{4}\b")
TAG = re.compile(r"<[^>]+>")
# The exact bytes sent to Natural are shown as they were sent.
VERBATIM = re.compile(r"<(pre|code)\b.*?</\1>", re.S)


def assert_one_date_format(html: str) -> int:
    """Every <time> follows the format and no date is printed any other way; returns the count."""
    times = TIME.findall(html)
    for attributes, text in times:
        assert "datetime=" in attributes, f"<time{attributes}>{text}</time> has no datetime"
        assert EXACT.search(attributes), f"<time{attributes}> has no exact UTC title"
        assert RELATIVE.match(text.strip()), f"{text!r} is not relative"
    main = html.split('<main id="main"', 1)[-1]
    visible = TAG.sub(" ", TIME.sub("", VERBATIM.sub("", main)))
    raw = RAW_DATE.search(visible)
    assert raw is None, f"a date printed another way: {raw.group(0)!r}"
    return len(times)
