"""`{% table %}`: the table region (tables/component.py) drawn inside a Django page."""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString

from tables.component import REGION

register = template.Library()


@register.simple_tag(takes_context=True)
def table(context) -> SafeString:
    region = engines["jinja2"].get_template(REGION)
    # Jinja escaped every value it drew (autoescape), so the region is safe as a whole.
    return SafeString(region.render(context.flatten(), context.get("request")))
