"""The Jinja2 environment of the plan page's body, the one template rendered
once per action point (a large plan has hundreds of cards), and of the dashboards'
bodies and charts (tables of groups, people, quarters), where Jinja2's
compiled templates are several times faster than Django's template language.
It offers the same badges as the Django templates, and Django's translations
through Jinja2's i18n extension: `{{ _("text") }}`, `{{ _("%(name)s", name=x) }}`,
`{{ ngettext("%(num)d day", "%(num)d days", n) }}` and `{% trans %}` blocks read the
active language's catalogue, as `{% translate %}` does in Django's templates."""

from __future__ import annotations

from django.template.defaultfilters import date, truncatechars
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from jinja2 import Environment, StrictUndefined

from actionplans.templatetags.plan_tags import (
    deadline_badge,
    human_duration,
    percent,
    pim_category_tags,
    priority_badge,
    status_badge,
)


class PageUrls:
    """url(name, pk) for a page that links to the same few views for each of many
    objects: reverse() once per view, then the object's id put in its place."""

    _MARK = 2147483647  # an id no object has yet; it shows where the id goes

    def __init__(self) -> None:
        self._patterns: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str, pk: int) -> str:
        if name not in self._patterns:
            head, tail = reverse(name, args=[self._MARK]).rsplit(str(self._MARK), 1)
            self._patterns[name] = head, tail
        head, tail = self._patterns[name]
        return f"{head}{int(pk)}{tail}"


def environment(**options) -> Environment:
    # Every variable a template uses is given: a missing one is an error, not "".
    extensions = [*options.pop("extensions", ()), "jinja2.ext.i18n"]
    env = Environment(**{**options, "undefined": StrictUndefined, "extensions": extensions})
    # newstyle: _() escapes the values it puts in and formats %(name)s itself.
    env.install_gettext_translations(translation, newstyle=True)
    env.globals.update(
        static=static,
        status_badge=status_badge,
        deadline_badge=deadline_badge,
        human_duration=human_duration,
        priority_badge=priority_badge,
        pim_category_tags=pim_category_tags,
    )
    env.filters["date"] = date
    env.filters["human_duration"] = human_duration
    env.filters["percent"] = percent
    env.filters["truncatechars"] = truncatechars
    return env
