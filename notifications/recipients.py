"""Where a person or an account is reached: one rule for every notification."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from notifications.models import Preference
from orgs.models import Person


@dataclass(frozen=True)
class Recipient:
    """An address (may be blank: in the app only) and the account that sees it in the app."""

    address: str
    user_id: int | None
    person_id: int | None = None


def _address(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate and candidate.strip():
            return candidate.strip().lower()
    return ""


def people_recipients(person_ids: Iterable[int]) -> dict[int, Recipient]:
    """Each person with an address or an account: the person's own email first, then
    the account's. People with neither cannot be reached and are left out."""
    rows = Person.objects.filter(id__in=set(person_ids)).values_list(
        "id", "email", "user_id", "user__email", "user__is_active"
    )
    result = {}
    for person_id, email, user_id, user_email, active in rows:
        user_id = user_id if active else None
        address = _address(email, user_email if active else "")
        if address or user_id:
            result[person_id] = Recipient(address, user_id, person_id)
    return result


def user_recipients(user_ids: Iterable[int]) -> dict[int, Recipient]:
    """Each active account: its email first, then its person's."""
    rows = (
        get_user_model()
        .objects.filter(id__in=set(user_ids), is_active=True)
        .values_list("id", "email", "person__email", "person__id")
    )
    return {
        user_id: Recipient(_address(email, person_email), user_id, person_id)
        for user_id, email, person_email, person_id in rows
    }


def address_of_user(user) -> str:
    recipient = user_recipients([user.pk]).get(user.pk)
    return recipient.address if recipient else ""


def preferences_for(addresses: Iterable[str] | None = None) -> dict[str, Preference]:
    """Saved preferences by address (all of them when no addresses are given)."""
    rows = Preference.objects.all()
    if addresses is not None:
        rows = rows.filter(email__in=set(addresses))
    return {preference.email: preference for preference in rows}


def default_preference(address: str) -> Preference:
    return Preference(email=address)
