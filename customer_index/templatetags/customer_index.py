from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.timesince import timesince

from customer_index.highlight import highlight as highlight_matches
from delegations.records import Money

register = template.Library()


@register.filter
def highlight(value: str, query: str):
    return highlight_matches(value, query)


@register.filter
def cents(value: int | None) -> str:
    if value is None:
        return ""
    return str(Money(value))


@register.filter
def ago(value) -> str:
    """ "3 minutes", "2 hours": one unit is enough to judge freshness."""
    if not value:
        return ""
    text = timesince(value, depth=1)
    return "less than a minute" if text.startswith("0\xa0") else text


@register.filter
def customer_url(party_id: str) -> str:
    """The customer's page, when the customer pages are installed."""
    try:
        return reverse("customer-detail", args=[party_id])
    except NoReverseMatch:
        return ""
