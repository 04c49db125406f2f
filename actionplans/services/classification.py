"""What an action point advances in the PIM framework, and how urgent it is."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from actionplans.choices import PimCategory, PimPrinciple, PimProcessStep, PimTagKind, Priority
from actionplans.models import ActionPoint, PimTag
from actionplans.services.common import User, lock, require_open_plan_of, save_point


def _unknown(field: str, values: Iterable[str], allowed: list[str]) -> ValidationError:
    return ValidationError(
        {
            field: _('Unknown value "%(values)s". Use one of: %(allowed)s.')
            % {"values": '", "'.join(values), "allowed": ", ".join(allowed)}
        }
    )


def check_slugs(field: str, slugs: Iterable[str], allowed: list[str]) -> list[str]:
    """The slugs without repeats, in their list's order; unknown ones are an error
    naming the field."""
    given = list(dict.fromkeys(slugs))
    unknown = [slug for slug in given if slug not in allowed]
    if unknown:
        raise _unknown(field, unknown, allowed)
    return [slug for slug in allowed if slug in given]


def check_choice(field: str, value: str, allowed: list[str], *, blank: bool) -> str:
    if (blank and value == "") or value in allowed:
        return value
    raise _unknown(field, [value], allowed)


@transaction.atomic
def action_point_classify(
    *,
    action_point: ActionPoint,
    user: User | None,
    pim_categories: Iterable[str] | None = None,
    pim_principles: Iterable[str] | None = None,
    pim_process_step: str | None = None,
    priority: str | None = None,
    expected_version: int | None = None,
) -> ActionPoint:
    """Set an action point's PIM categories, principles, process step and priority
    (None leaves a part as it is). Unknown slugs are refused with the field named and
    nothing written. A change bumps the version and `updated` and is recorded in the
    history (the tags in their own history table)."""
    wanted = {}
    if pim_categories is not None:
        wanted[PimTagKind.CATEGORY] = check_slugs(
            "pim_categories", pim_categories, PimCategory.values
        )
    if pim_principles is not None:
        wanted[PimTagKind.PRINCIPLE] = check_slugs(
            "pim_principles", pim_principles, PimPrinciple.values
        )
    if pim_process_step is not None:
        pim_process_step = check_choice(
            "pim_process_step", pim_process_step or "", PimProcessStep.values, blank=True
        )
    if priority is not None:
        priority = check_choice("priority", priority, Priority.values, blank=False)
    require_open_plan_of(action_point)
    current = lock(action_point, expected_version)
    changed: list[str] = []
    if pim_process_step is not None and pim_process_step != current.pim_process_step:
        current.pim_process_step = pim_process_step
        changed.append("pim_process_step")
    if priority is not None and priority != current.priority:
        current.priority = priority
        changed.append("priority")
    tags_changed = False
    if wanted:
        have = {(tag.kind, tag.slug): tag for tag in current.pim_tags.all()}
        for kind, slugs in wanted.items():
            for key, tag in have.items():
                if key[0] == kind and key[1] not in slugs:
                    tag._history_user = user
                    tag.delete()
                    tags_changed = True
            for slug in slugs:
                if (kind, slug) not in have:
                    tag = PimTag(action_point=current, kind=kind, slug=slug)
                    tag._history_user = user
                    tag.save()
                    tags_changed = True
    if not changed and not tags_changed:
        return action_point
    save_point(current, user, changed, caller=action_point)
    # The caller's prefetched tags are out of date now.
    action_point.__dict__.pop("prefetched_pim_tags", None)
    return action_point
