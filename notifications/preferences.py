"""Writing an address's notification preferences: the preferences page and the
undo of a one-click unsubscribe.

Preferences are keyed by the lowercase address (one row per address, no row
meaning the defaults), so every function here takes the address the emails go to.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from notifications.choices import Kind, Weekday
from notifications.models import Preference

LEAD_DAY_MIN = 1
LEAD_DAY_MAX = 90
LEAD_DAYS_MAX_COUNT = 5


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zones this system knows (read once: it scans the tz database)."""
    return frozenset(zoneinfo.available_timezones())


def _clean_address(address: str) -> str:
    address = (address or "").strip().lower()
    if not address:
        raise ValidationError(_("Preferences need an email address."), code="no_address")
    return address


def clean_lead_days(lead_days: Iterable[int]) -> list[int]:
    """Whole days from 1 to 90, at most five, largest first, each once."""
    days = list(lead_days)
    if any(isinstance(day, bool) or not isinstance(day, int) for day in days):
        raise ValidationError({"lead_days": _("Give whole days, e.g. 14, 3.")}, code="invalid")
    if any(day < LEAD_DAY_MIN or day > LEAD_DAY_MAX for day in days):
        raise ValidationError(
            {
                "lead_days": _("Each reminder must be between %(min)d and %(max)d days ahead.")
                % {"min": LEAD_DAY_MIN, "max": LEAD_DAY_MAX}
            },
            code="out_of_range",
        )
    unique = sorted(set(days), reverse=True)
    if len(unique) > LEAD_DAYS_MAX_COUNT:
        raise ValidationError(
            {
                "lead_days": _("At most %(count)d reminders before a deadline.")
                % {"count": LEAD_DAYS_MAX_COUNT}
            },
            code="too_many",
        )
    return unique


def _clean_kinds(kinds: Iterable[str]) -> list[str]:
    kinds = set(kinds)
    unknown = sorted(kinds - set(Kind.values))
    if unknown:
        raise ValidationError(
            {"muted_kinds": _("Unknown kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}},
            code="invalid",
        )
    return sorted(kinds)


def _clean_weekday(weekday: int) -> int:
    if weekday not in Weekday.values:
        raise ValidationError({"digest_weekday": _("Choose a day of the week.")}, code="invalid")
    return int(weekday)


def _clean_time_zone(time_zone: str) -> str:
    time_zone = (time_zone or "").strip()
    if not time_zone:
        return settings.TIME_ZONE
    if time_zone not in time_zones():
        raise ValidationError(
            {
                "time_zone": _(
                    "%(zone)s is not a time zone this server knows: give one such as "
                    "Asia/Beirut or UTC."
                )
                % {"zone": time_zone}
            },
            code="invalid",
        )
    return time_zone


def preference_save(
    *,
    address: str,
    muted_kinds: Iterable[str],
    lead_days: Iterable[int],
    digest_weekday: int,
    time_zone: str,
) -> Preference:
    """Save what this address wants to receive, all at once.

    `muted_kinds`: the kinds not wanted (Kind values); `lead_days`: days before
    a deadline to be reminded (empty: the site's default, REMINDER_LEAD_DAYS);
    `time_zone`: an IANA name (blank: the site's TIME_ZONE). Raises
    ValidationError naming the field at fault; nothing is saved then.
    """
    address = _clean_address(address)
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for name, clean, value in (
        ("muted_kinds", _clean_kinds, muted_kinds),
        ("lead_days", clean_lead_days, lead_days),
        ("digest_weekday", _clean_weekday, digest_weekday),
        ("time_zone", _clean_time_zone, time_zone),
    ):
        try:
            values[name] = clean(value)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        preference, _created = Preference.objects.select_for_update().get_or_create(email=address)
        for name, value in values.items():
            setattr(preference, name, value)
        preference.save()
    return preference


def preference_unmute(*, address: str, kinds: Iterable[str]) -> Preference:
    """Take these kinds back (the undo of a one-click unsubscribe)."""
    address = _clean_address(address)
    kinds = set(kinds)
    with transaction.atomic():
        preference, _created = Preference.objects.select_for_update().get_or_create(email=address)
        preference.muted_kinds = sorted(set(preference.muted_kinds) - kinds)
        preference.save()
    return preference
