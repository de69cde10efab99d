"""One way to show a moment: relative words in a <time> whose title is the exact UTC time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString

from browse.presenters import exact, relative, stamp

register = template.Library()


def as_datetime(value) -> datetime | None:
    """A datetime, a date (midnight UTC), an ISO string, or a presenter's moment dict."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, str):
        value = parse_datetime(value)
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=UTC)
    if not isinstance(value, datetime):
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value.astimezone(UTC)


@register.filter
def when(value, missing: str = "—"):
    if isinstance(value, dict) and value.get("stamp"):
        # A presenter's moment (delegations.presenters.moment) has every part made already.
        return _time(value["stamp"], value["exact"], value["relative"])
    moment = as_datetime(value)
    if moment is None:
        return missing
    return _time(stamp(moment), exact(moment), relative(moment, timezone.now()))


def _time(stamp: str, title: str, words: str) -> SafeString:
    # Every part is made from a datetime (digits and unit words), so none needs escaping.
    # SafeString itself, not mark_safe: its check for lazy text costs more than the rest here.
    return SafeString(f'<time datetime="{stamp}" title="{title}">{words}</time>')
