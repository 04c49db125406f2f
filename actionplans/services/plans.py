"""A plan's own life: create, change, close, reopen, delete."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from actionplans import signals
from actionplans.choices import PlanStatus, PlanVisibility
from actionplans.models import ActionPlan
from actionplans.services.common import User, check_text, save_checked
from pim_tracker.characters import TextKind

PLAN_TEXTS = ("title", "country", "origin")
PLAN_FIELDS = (*PLAN_TEXTS, "status", "visibility")


def _checked_texts(texts: dict[str, object]) -> dict[str, str]:
    """A plan's texts checked: title, country and origin are names (headings), with
    the characters names may hold (pim_tracker.characters)."""
    rules = {
        "title": (_("Title"), True, 200),
        "country": (_("Country"), False, 100),
        "origin": (_("Origin"), False, 300),
    }
    checked = {}
    for name, value in texts.items():
        label, required, longest = rules[name]
        checked[name] = check_text(
            value,
            field=name,
            label=label,
            required=required,
            max_length=longest,
            kind=TextKind.NAME,
        )
    return checked


@transaction.atomic
def plan_create(
    *,
    title: str,
    country: str = "",
    origin: str = "",
    status: str = PlanStatus.ACTIVE,
    visibility: str = PlanVisibility.MEMBERS,
    coordinators: Iterable[User] = (),
    created_by: User | None = None,
) -> ActionPlan:
    plan = ActionPlan(
        **_checked_texts({"title": title, "country": country, "origin": origin}),
        status=status,
        visibility=visibility,
    )
    save_checked(plan, created_by)
    plan.coordinators.set(list(coordinators))
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: ActionPlan,
    user: User | None,
    coordinators: Iterable[User] | None = None,
    **fields: object,
) -> ActionPlan:
    """Change a plan's own fields (title, country, origin, status, visibility) and
    its coordinators. A plan keeps at least one coordinator, so someone can run it.

    A change of status goes through plan_close and plan_reopen, so their rules
    hold whichever door it comes through (the form, the API's PATCH). A closed
    plan changes nothing else until it is reopened (in the same call is fine).
    """
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change %(fields)s here.") % {"fields": ", ".join(sorted(unknown))}
        )
    # Compared with what is saved, not with the caller's copy (a bound ModelForm
    # has already written the new values on it).
    plan.refresh_from_db(fields=PLAN_FIELDS)
    status = fields.pop("status", plan.status)
    if status not in PlanStatus.values:
        raise ValidationError(
            {"status": _('Unknown plan status "%(status)s".') % {"status": status}}
        )
    texts = {name: value for name, value in fields.items() if name in PLAN_TEXTS}
    changes = {**fields, **_checked_texts(texts)}
    changes = {name: value for name, value in changes.items() if getattr(plan, name) != value}
    if coordinators is not None:
        coordinators = list(coordinators)
        if not coordinators:
            raise ValidationError({"coordinators": _("A plan needs at least one coordinator.")})
        if {account.pk for account in coordinators} == set(
            plan.coordinators.values_list("pk", flat=True)
        ):
            coordinators = None
    if not plan.accepts_changes:
        if status == PlanStatus.CLOSED:
            if changes or coordinators is not None:
                raise ValidationError(
                    _("This plan is closed: reopen it before changing it."), code="plan_closed"
                )
            return plan_close(plan=plan, user=user)  # says it is closed already
        plan_reopen(plan=plan, user=user, status=status)
    if changes:
        for name, value in changes.items():
            setattr(plan, name, value)
        save_checked(plan, user)
    if coordinators is not None:
        plan.coordinators.set(coordinators)
        if not changes:
            save_checked(plan, user)  # a new `updated`: partners syncing see the change
    if status == PlanStatus.CLOSED and plan.accepts_changes:
        plan_close(plan=plan, user=user)
    elif status != plan.status:
        plan.status = status
        save_checked(plan, user)
    if changes or coordinators is not None:
        signals.plan_changed.send(sender=ActionPlan, plan=plan, user=user)
    return plan


@transaction.atomic
def plan_close(*, plan: ActionPlan, user: User | None) -> ActionPlan:
    """Close a plan: it stays readable, its figures stop moving, and nothing in it
    changes until it is reopened."""
    if not plan.accepts_changes:
        raise ValidationError(_("This plan is already closed."), code="already_closed")
    plan.status = PlanStatus.CLOSED
    save_checked(plan, user)
    signals.plan_changed.send(sender=ActionPlan, plan=plan, user=user)
    return plan


@transaction.atomic
def plan_reopen(
    *, plan: ActionPlan, user: User | None, status: str = PlanStatus.ACTIVE
) -> ActionPlan:
    """Open a closed plan again (as active, or as a draft)."""
    if plan.accepts_changes:
        raise ValidationError(_("This plan is not closed."), code="not_closed")
    if status == PlanStatus.CLOSED:
        raise ValidationError({"status": _("Reopen the plan as active or as a draft.")})
    plan.status = status
    save_checked(plan, user)
    signals.plan_changed.send(sender=ActionPlan, plan=plan, user=user)
    return plan


@transaction.atomic
def plan_delete(*, plan: ActionPlan, user: User | None) -> None:
    """Delete a plan and everything in it; the history tables keep every deleted row.

    Rows deleted by the cascade are recorded with the request's user by
    HistoryRequestMiddleware.
    """
    plan._history_user = user
    plan.delete()
