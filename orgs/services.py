"""Writes to organizations and people, shared by the importer, views and API."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from orgs import signals
from orgs.choices import OrganizationKind
from orgs.matching import check_name, clean_name
from orgs.models import AccountPreference, ApiToken, Organization, Person
from pim_tracker.characters import TextKind, check_characters

_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Two spellings of one text (a title, a deadline) compared: case and spacing
    ignored. People's names have their own rule: orgs.matching.match_key."""
    return _SPACES.sub(" ", name).strip().casefold()


def _checked_name(value: object, *, field: str, label: str) -> str:
    """An organization's name or acronym, a token's name, as stored: with the
    characters names may hold (pim_tracker.characters: no control character, no
    direction override), single spaces. People's names: orgs.matching.check_name."""
    if not isinstance(value, str):
        raise ValidationError({field: gettext("%(label)s must be text.") % {"label": label}})
    return clean_name(check_characters(value, field=field, label=label, kind=TextKind.NAME))


def organization_find(*, name: str) -> Organization | None:
    """An organization whose name or acronym matches, ignoring case and spacing."""
    wanted = clean_name(name)
    if not wanted:
        return None
    return (
        Organization.objects.filter(name__iexact=wanted).first()
        or Organization.objects.filter(acronym__iexact=wanted).order_by("id").first()
    )


@transaction.atomic
def organization_get_or_create(
    *, name: str, kind: str = OrganizationKind.OTHER, acronym: str = ""
) -> Organization:
    """Find an organization by name or acronym, or create it.

    A short all-capitals name ("UNHCR") is what plans usually write; it is
    stored as both name and acronym until someone fills in the full name.
    """
    wanted = clean_name(name)
    if not wanted:
        raise ValidationError({"name": gettext("An organization needs a name.")})
    existing = organization_find(name=wanted)
    if existing is not None:
        return existing
    if not acronym and wanted.isupper() and " " not in wanted:
        acronym = wanted
    return organization_create(name=wanted, acronym=acronym, kind=kind)


def _save(instance) -> None:
    instance.full_clean()
    instance.save()


@transaction.atomic
def organization_create(
    *, name: str, acronym: str = "", kind: str = OrganizationKind.OTHER
) -> Organization:
    organization = Organization(
        name=_checked_name(name, field="name", label=gettext("Name")),
        acronym=_checked_name(acronym, field="acronym", label=gettext("Acronym")),
        kind=kind,
    )
    _save(organization)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, **fields: object) -> Organization:
    """Change name, acronym or kind."""
    labels = {"name": gettext("Name"), "acronym": gettext("Acronym")}
    for field, label in labels.items():
        if field in fields:
            fields[field] = _checked_name(fields[field], field=field, label=label)
    before = _values(organization, fields)
    _set(organization, fields, allowed={"name", "acronym", "kind"})
    _save(organization)
    changed = _changed(organization, before)
    if changed:
        signals.organization_changed.send(
            sender=Organization, organization=organization, changed=changed
        )
    return organization


@transaction.atomic
def person_create(
    *,
    name: str,
    email: str = "",
    organization: Organization | None = None,
    user=None,
    created_by=None,
) -> Person:
    """A person as every door writes one: the name checked and with single spaces
    (orgs.matching.check_name); created_by is who added them (None: an import)."""
    person = Person(
        name=check_name(name),
        email=email.strip(),
        organization=organization,
        user=user,
        created_by=created_by,
    )
    _save(person)
    return person


@transaction.atomic
def person_update(*, person: Person, **fields: object) -> Person:
    """Change name, email, organization or the linked account."""
    if "name" in fields:
        fields["name"] = check_name(fields["name"])
    before = _values(person, fields)
    _set(person, fields, allowed={"name", "email", "organization", "user"})
    _save(person)
    changed = _changed(person, before)
    if changed:
        signals.person_changed.send(sender=Person, person=person, changed=changed)
    return person


def _values(instance, fields: dict) -> dict:
    return {name: getattr(instance, name, None) for name in fields}


def _changed(instance, before: dict) -> list[str]:
    return [name for name, value in before.items() if getattr(instance, name, None) != value]


def _set(instance, fields: dict, *, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            gettext("Cannot change %(fields)s here.") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(instance, name, value)


# --- API tokens ------------------------------------------------------------------

TOKEN_PREFIX_LENGTH = 8
# last_used is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def hash_token_key(key: str) -> str:
    # Keys are 256 random bits: a plain SHA-256 is enough, no slow hash needed.
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user, name: str = "", read_only: bool = False) -> tuple[ApiToken, str]:
    """Create a token; return it with its key, which is never stored nor shown again."""
    if not user.is_active:
        raise ValidationError(
            {
                "user": gettext("The account %(username)s is not active.")
                % {"username": user.get_username()}
            }
        )
    name = _checked_name(name, field="name", label=gettext("Name"))
    if len(name) > 100:
        raise ValidationError({"name": gettext("The name is longer than 100 characters.")})
    key = "pim_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=key[: TOKEN_PREFIX_LENGTH + 4],
        key_hash=hash_token_key(key),
        read_only=read_only,
    )
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
    return token


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The active token with this key, its last use recorded; None if there is none."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token_key(key), revoked__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    record_last_use(token)
    return token


def record_last_use(credential) -> None:
    """Note when a token or feed key was used, at most once a minute: not a write
    on every request. `credential` is any model instance with a last_used field."""
    now = timezone.now()
    if credential.last_used is None or now - credential.last_used >= LAST_USED_RESOLUTION:
        type(credential).objects.filter(pk=credential.pk).update(last_used=now)
        credential.last_used = now


# --- account preferences ---------------------------------------------------------


@transaction.atomic
def account_language_set(*, user, language: str) -> AccountPreference:
    """Keep the language a user chose (a code of settings.LANGUAGES) for their pages
    and for the emails sent to their address."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(
            {"language": gettext("Choose one of the languages offered.")}, code="unknown_language"
        )
    preference, _created = AccountPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference
