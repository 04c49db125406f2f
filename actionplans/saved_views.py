"""Saved views on the pages: their forms, the "Saved views" block of a plan's page
and of "my action points" (templates/actionplans/_saved_views.html), and where a
saved view leads. The writes are services.saved_views'; who sees which view is
permissions.saved_views_for's."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actionplans import permissions as perms
from actionplans.choices import SavedViewPage
from actionplans.filtersets import ActionPointFilterSet
from actionplans.models import ActionPlan, SavedView
from actionplans.services.saved_views import NAME_MAX_LENGTH, normal_query


def view_url(view: SavedView) -> str:
    """The page of a saved view with its filters applied."""
    if view.page == SavedViewPage.PLAN:
        base = reverse("actionplans:plan_detail", args=[view.plan_id])
    else:
        base = reverse("actionplans:my_action_points")
    return f"{base}?{view.query}" if view.query else base


def owner_name(user) -> str:
    return user.get_full_name() or user.get_username()


class SavedViewForm(forms.Form):
    """A view's name and whether it is shared (rename, share)."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    shared = forms.BooleanField(label=_("Share with the plan's members"), required=False)

    def __init__(self, *args, can_share: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["dir"] = "auto"
        if not can_share:
            del self.fields["shared"]


class SavedViewAddForm(SavedViewForm):
    """Save a page's current filters: the page, its plan and its query string come
    hidden from the page's block (the service keeps only the filters)."""

    page = forms.ChoiceField(
        label=_("Page"), choices=SavedViewPage.choices, widget=forms.HiddenInput
    )
    plan = forms.IntegerField(label=_("Plan"), required=False, widget=forms.HiddenInput)
    query = forms.CharField(
        label=_("Filters"), required=False, strip=False, widget=forms.HiddenInput
    )


class SavedViewReplaceForm(forms.Form):
    """Replace the filters of one of your views of this page with the current ones."""

    view = forms.IntegerField(label=_("Replace the filters of"))
    query = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)


@dataclass
class SavedViewsBlock:
    """What the "Saved views" block of a page shows."""

    page: str
    plan: ActionPlan | None
    query: str  # the page's query string as requested, posted by the save form
    views: list[SavedView] = field(default_factory=list)
    current: SavedView | None = None
    can_share: bool = False

    @property
    def own(self) -> list[SavedView]:
        return [view for view in self.views if view.is_own]


def page_block(
    request: HttpRequest, filterset: ActionPointFilterSet, *, plan: ActionPlan | None
) -> SavedViewsBlock:
    """The saved views a page offers the user (own first, then those shared with
    them), each with its address, the one showing now marked. Two queries at most,
    whatever the number of views: the views, and (on a plan's page) whether the
    user may share."""
    page = SavedViewPage.PLAN if plan is not None else SavedViewPage.MINE
    user = request.user
    views = list(perms.saved_views_for(user, page=page, plan=plan))
    # The filters showing now, as a saved view stores them ("" when none); None when
    # one is wrong: then no view is the current one.
    showing = normal_query(filterset, plan_page=plan is not None) if filterset.is_valid() else None
    block = SavedViewsBlock(page=page, plan=plan, query=request.GET.urlencode(), views=views)
    for view in views:
        view.url = view_url(view)
        view.is_own = view.owner_id == user.pk
        view.owner_name = owner_name(view.owner)
        if block.current is None and view.query == showing:
            block.current = view
    for view in views:  # one link marked, should two views hold the same filters
        view.is_current = view is block.current
    block.can_share = plan is not None and perms.can_share_saved_view(user, plan)
    return block
