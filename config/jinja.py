"""The Jinja2 environment of the table component (tables/component.py): the same cell filters
the Django templates use (one way to show a moment, isolated names, highlighted matches), and
autoescape on, as Django's backend sets it."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from jinja2 import ChainableUndefined, Environment

from browse.templatetags.cells import cents, highlight
from browse.templatetags.moments import when
from browse.templatetags.names import agent
from browse.templatetags.upstream import isolate, isolate_marked
from tables.component import querystring


def django_template(name: str, request=None, **context) -> SafeString:
    """A piece still drawn by Django's engine because a page outside the tables shows it too
    (the review mark form, the selection bar's dialog)."""
    return SafeString(render_to_string(name, context, request))


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    options["undefined"] = ChainableUndefined
    env = Environment(**options)  # noqa: S701 - Django's backend sets autoescape=True
    env.filters.update(
        when=when,
        isolate=isolate,
        isolate_marked=isolate_marked,
        highlight=highlight,
        cents=cents,
        agent=agent,
    )
    env.globals.update(url=url, django=django_template, querystring=querystring)
    return env
