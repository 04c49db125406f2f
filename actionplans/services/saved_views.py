"""Saved views: a user's named filters of a plan's page or of "my action points".

What is stored is the page's filters only, normalised (normal_query): the keys
the page's filterset accepts (and, on a plan's page, its view and sort), empty
ones and anything else (page number, CSRF token, unknown keys) left out, values
validated by the same filterset the page uses, in a stable order. So one set of
filters is one string, and a page can tell which saved view it is showing.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, TooManyFieldsSent, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from actionplans import permissions as perms
from actionplans.choices import SavedViewPage
from actionplans.filtersets import ActionPointFilterSet, page_filterset
from actionplans.models import ActionPlan, SavedView
from actionplans.plan_page import SORTS, VIEWS
from actionplans.services.common import User, check_text, save_checked
from pim_tracker.characters import TextKind

NAME_MAX_LENGTH = SavedView._meta.get_field("name").max_length
QUERY_MAX_LENGTH = SavedView._meta.get_field("query").max_length

_EMPTY = (None, "", [], ())


def _text(value: object) -> str:
    """A value as a query string writes it (a yes/no filter's widget reads a bool)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value).strip()


def normal_query(filterset: ActionPointFilterSet, *, plan_page: bool) -> str:
    """The filters of a bound and valid page filterset as a stable query string:
    each filter the page offers and the request gives a value (the values of a
    multiple choice sorted, repeats dropped), on a plan's page its view ("cards";
    the table is the default) and the table's sort; keys in order."""
    data = filterset.data
    cleaned = filterset.form.cleaned_data
    pairs: list[tuple[str, str]] = []
    for name, field in filterset.form.fields.items():
        if cleaned.get(name) in _EMPTY:
            continue
        # What the form read: a list for a multiple choice, else the last value.
        value = field.widget.value_from_datadict(data, {}, name)
        values = value if isinstance(value, list) else [value]
        pairs += [(name, v) for v in sorted({_text(v) for v in values} - {""})]
    if plan_page:
        view = data.get("view", "")
        if view in VIEWS and view != VIEWS[0]:
            pairs.append(("view", view))
        else:
            sort = data.get("sort", "")
            if sort.removeprefix("-") in SORTS:
                pairs.append(("sort", sort))
    return urlencode(sorted(pairs))


def _filters(*, owner: User, page: str, plan: ActionPlan | None, query: str) -> str:
    """The query string given, normalised for its page; a ValidationError on "query"
    naming each filter that is wrong."""
    if not isinstance(query, str):
        raise ValidationError({"query": _("The filters must be a query string.")})
    try:
        data = QueryDict(query.strip().removeprefix("?"))
    except TooManyFieldsSent:
        raise ValidationError({"query": _("These filters are too long to save.")}) from None
    # The page's filterset, its choices those of the owner (it needs only `.user`).
    filterset = page_filterset(data, request=SimpleNamespace(user=owner), plan=plan)
    if not filterset.is_valid():
        fields = filterset.form.fields
        raise ValidationError(
            {
                "query": [
                    _("%(filter)s: %(error)s") % {"filter": fields[name].label, "error": message}
                    for name, messages in filterset.form.errors.items()
                    for message in messages
                ]
            }
        )
    normal = normal_query(filterset, plan_page=page == SavedViewPage.PLAN)
    if len(normal) > QUERY_MAX_LENGTH:
        raise ValidationError({"query": _("These filters are too long to save.")})
    return normal


def _check_page(*, owner: User, page: str, plan: ActionPlan | None) -> None:
    if page not in SavedViewPage.values:
        raise ValidationError({"page": _("Unknown page.")})
    if (page == SavedViewPage.PLAN) != (plan is not None):
        raise ValidationError({"plan": _("Only a plan page's view has a plan and can be shared.")})
    if plan is not None and not perms.can_view_plan(owner, plan):
        raise ValidationError({"plan": _("No such plan.")})


def _check_name(*, owner: User, page: str, plan: ActionPlan | None, name: str, pk=None) -> str:
    name = check_text(
        name,
        field="name",
        label=_("Name"),
        required=True,
        max_length=NAME_MAX_LENGTH,
        kind=TextKind.NAME,
    )
    taken = SavedView.objects.filter(owner=owner, page=page, plan=plan, name__iexact=name)
    if taken.exclude(pk=pk).exists():
        raise ValidationError({"name": _("You already have a view with this name here.")})
    return name


def _check_sharing(*, owner: User, page: str, plan: ActionPlan | None) -> None:
    if page != SavedViewPage.PLAN:
        raise ValidationError(
            {"shared": _("Only a plan page's view has a plan and can be shared.")}
        )
    if not perms.can_share_saved_view(owner, plan):
        raise ValidationError(
            {"shared": _("Only the plan's coordinators and members can share a view with them.")}
        )


def _save(view: SavedView, user: User) -> None:
    """Save, the name's uniqueness held by the database too (two saves at once)."""
    try:
        with transaction.atomic():
            save_checked(view, user)
    except IntegrityError:
        raise ValidationError({"name": _("You already have a view with this name here.")}) from None


@transaction.atomic
def saved_view_create(
    *,
    owner: User,
    page: str,
    plan: ActionPlan | None = None,
    name: str,
    query: str,
    shared: bool = False,
) -> SavedView:
    """Save the filters `query` (a page's query string, as it is: normalised here) of
    a plan's page (`plan`) or of "my action points" under `name`, shared with the
    plan's members if asked (and allowed)."""
    if not owner.is_authenticated or not owner.is_active:
        raise PermissionDenied(_("You may not do this."))
    _check_page(owner=owner, page=page, plan=plan)
    name = _check_name(owner=owner, page=page, plan=plan, name=name)
    if shared:
        _check_sharing(owner=owner, page=page, plan=plan)
    view = SavedView(
        owner=owner,
        page=page,
        plan=plan,
        name=name,
        query=_filters(owner=owner, page=page, plan=plan, query=query),
        shared=bool(shared),
    )
    _save(view, owner)
    return view


@transaction.atomic
def saved_view_update(
    *,
    view: SavedView,
    user: User,
    name: str | None = None,
    shared: bool | None = None,
    query: str | None = None,
) -> SavedView:
    """Rename a saved view, share it or stop sharing it, or replace its filters
    (None: unchanged). Its owner only."""
    if not perms.can_change_saved_view(user, view):
        raise PermissionDenied(_("Only its owner can change a saved view."))
    plan = view.plan
    if plan is not None and not perms.can_view_plan(user, plan):
        raise ValidationError({"plan": _("No such plan.")})
    if name is not None:
        view.name = _check_name(owner=user, page=view.page, plan=plan, name=name, pk=view.pk)
    if shared is not None:
        if shared and not view.shared:
            _check_sharing(owner=user, page=view.page, plan=plan)
        view.shared = bool(shared)
    if query is not None:
        view.query = _filters(owner=user, page=view.page, plan=plan, query=query)
    _save(view, user)
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, user: User) -> None:
    """Delete a saved view (its owner only): a shared one disappears for everyone."""
    if not perms.can_change_saved_view(user, view):
        raise PermissionDenied(_("Only its owner can change a saved view."))
    view.delete()
