from django import template
from django.urls import NoReverseMatch, reverse

from browse.highlight import highlight as highlight_matches
from natural.records import Money

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
def customer_url(party_id: str) -> str:
    """The customer's page, when the customer pages are installed."""
    try:
        return reverse("customer-detail", args=[party_id])
    except NoReverseMatch:
        return ""


@register.filter
def facet_count(facets: dict, value: str) -> str:
    """One facet's count, with thousands separated (0 when nothing has the value)."""
    return f"{facets.get(value, 0):,}"
