"""The Jinja2 environment of the plan page's body, the one template rendered
once per action point (a large plan has hundreds of cards), where Jinja2's
compiled templates are several times faster than Django's template language.
It offers the same badges as the Django templates."""

from __future__ import annotations

from django.template.defaultfilters import date
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment, StrictUndefined

from actionplans.templatetags.plan_tags import deadline_badge, status_badge


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    # Every variable a template uses is given: a missing one is an error, not "".
    env = Environment(**{**options, "undefined": StrictUndefined})
    env.globals.update(
        url=url, static=static, status_badge=status_badge, deadline_badge=deadline_badge
    )
    env.filters["date"] = date
    return env
