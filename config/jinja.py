"""The Jinja2 environment of the table component (tables/component.py): the same cell filters
the Django templates use (one way to show a moment, isolated names, highlighted matches), and
autoescape on, as Django's backend sets it."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from jinja2 import ChainableUndefined, Environment
from markupsafe import Markup, escape

from browse.templatetags.cells import cents, highlight
from browse.templatetags.moments import when
from browse.templatetags.names import agent
from browse.templatetags.upstream import isolate_marked
from tables.component import querystring


def django_template(name: str, request=None, **context) -> SafeString:
    """A piece still drawn by Django's engine because a page outside the tables shows it too
    (the review mark form, the selection bar's dialog)."""
    return SafeString(render_to_string(name, context, request))


EMPTY = Markup("")


def isolate_fast(value) -> Markup:
    """`isolate` for the region: markupsafe's escape (in C) instead of Django's lazy-aware one;
    a SafeString (a highlighted match) keeps its marks, as it does there. Joined by hand:
    `Markup.format` costs five times as much, and a table has a hundred of these."""
    if value is None or value == "":
        return EMPTY
    return Markup(f"<bdi>{escape(value)}</bdi>")  # noqa: S704 - the value is escaped here


def highlight_fast(value, query: str = ""):
    if not query:
        return escape(value or "")
    return highlight(value, query)  # a SafeString: Jinja keeps it as it is


def isolate_marked_fast(value, query: str = ""):
    if not query or value in (None, ""):
        return isolate_fast(value)
    return isolate_marked(value, query)


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    options["undefined"] = ChainableUndefined
    env = Environment(**options)  # noqa: S701 - Django's backend sets autoescape=True
    env.filters.update(
        when=when,
        isolate=isolate_fast,
        isolate_marked=isolate_marked_fast,
        highlight=highlight_fast,
        cents=cents,
        agent=agent,
    )
    env.globals.update(url=url, django=django_template, querystring=querystring)
    return env
