"""Accounts for the people of a plan: invitations and linking an existing account.

A coordinator invites a person of their plan by email: the person's address is
set, an account is created for them and linked to them, all or nothing, and
once that is committed an email carries a link to set their password. The
link is Django's password-reset link (`password_reset_confirm`, made with
default_token_generator): it expires after PASSWORD_RESET_TIMEOUT and is
spent when the password is set, because the token depends on the password.

The email is sent after the commit, outside the transaction: a refused SMTP
connection leaves the account in place, is logged, and is reported back on the
returned Invitation so the page can offer to resend it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan
from actionplans.permissions import can_edit_plan
from actionplans.selectors import plan_people
from actionplans.services.common import User
from orgs.language import language_of
from orgs.models import Person
from orgs.services import person_update
from pim_tracker.http import site_url
from pim_tracker.text import isolate

logger = logging.getLogger(__name__)

USERNAME_MAX = 150
_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")


@dataclass
class Invitation:
    """What an invitation did. `email_status` is "pending" until the transaction
    that created the account commits, then "sent" or "failed" (with the reason
    in `email_error`)."""

    person: Person
    user: User
    email: str
    email_status: str = "pending"
    email_error: str = ""

    @property
    def sent(self) -> bool:
        return self.email_status == "sent"


# --- checks ------------------------------------------------------------------------


def _require_coordinator(user: User | None, plan: ActionPlan) -> None:
    if user is None or not can_edit_plan(user, plan):
        raise PermissionDenied(_("Only the plan's coordinators can give its people accounts."))


def _require_person_of(plan: ActionPlan, person: Person) -> None:
    if not plan_people(plan=plan).filter(pk=person.pk).exists():
        raise ValidationError(
            _("%(name)s is not named in this plan.") % {"name": isolate(person.name)},
            code="not_in_plan",
        )


def _clean_email(email: str, person: Person) -> str:
    """A valid address no other person and no account already uses."""
    if not isinstance(email, str):
        raise ValidationError({"email": _("The email address must be text.")})
    email = email.strip()
    if not email:
        raise ValidationError({"email": _("Enter the email address to send the invitation to.")})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("“%(email)s” is not an email address.") % {"email": email}}
        ) from None
    email = BaseUserManager.normalize_email(email)  # the domain in lower case, as accounts keep it
    other = Person.objects.filter(email__iexact=email).exclude(pk=person.pk).first()
    if other is not None:
        raise ValidationError(
            {
                "email": _("%(name)s already has this email address.")
                % {"name": isolate(other.name)},
            },
            code="email_taken",
        )
    account = get_user_model().objects.filter(email__iexact=email).first()
    if account is not None:
        raise ValidationError(
            {
                "email": _(
                    "The account “%(username)s” already uses this email address: "
                    "link that account instead."
                )
                % {"username": account.get_username()}
            },
            code="email_taken",
        )
    return email


def _username_for(email: str) -> str:
    """The email as the username (people sign in with their address), made unique."""
    model = get_user_model()
    base = _NOT_IN_USERNAME.sub("_", email.lower())[:USERNAME_MAX]
    candidate, number = base, 1
    while model.objects.filter(username__iexact=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: USERNAME_MAX - len(suffix)] + suffix
    return candidate


# --- inviting ------------------------------------------------------------------------


def person_invite(*, plan: ActionPlan, person: Person, email: str, invited_by: User) -> Invitation:
    """Give a person of the plan an account and email them a link to set its password.

    The person's email is set (person_update), an account is created with an
    unusable password and linked to the person, all in one transaction; the
    email goes out once it has committed.
    """
    _require_coordinator(invited_by, plan)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _require_person_of(plan, person)
        if person.user_id is not None:
            raise ValidationError(
                _("%(name)s already has an account.") % {"name": isolate(person.name)},
                code="has_account",
            )
        email = _clean_email(email, person)
        account = get_user_model().objects.create_user(
            username=_username_for(email), email=email, password=None
        )
        person_update(person=person, email=email, user=account)
        invitation = Invitation(person=person, user=account, email=email)
        transaction.on_commit(lambda: _send(invitation, plan, invited_by))
    return invitation


def invitation_resend(*, plan: ActionPlan, person: Person, sent_by: User) -> Invitation:
    """Send the set-password email again to an invited person who never signed in."""
    _require_coordinator(sent_by, plan)
    _require_person_of(plan, person)
    account = person.user
    if account is None:
        raise ValidationError(
            _("%(name)s has no account yet: invite them.") % {"name": isolate(person.name)},
            code="no_account",
        )
    if account.last_login is not None:
        raise ValidationError(
            _("%(name)s has signed in already: there is no invitation to resend.")
            % {"name": isolate(person.name)},
            code="signed_in",
        )
    if not account.is_active:
        raise ValidationError(
            _("The account of %(name)s is disabled.") % {"name": isolate(person.name)},
            code="inactive",
        )
    address = account.email or person.email
    if not address:
        raise ValidationError(
            _("%(name)s has no email address.") % {"name": isolate(person.name)}, code="no_email"
        )
    invitation = Invitation(person=person, user=account, email=address)
    _send(invitation, plan, sent_by)
    return invitation


def set_password_url(account: User) -> str:
    """The absolute link that lets the account's owner set a password (expiring,
    single-use: Django's password-reset token)."""
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    return site_url(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def invitation_message(
    invitation: Invitation, plan: ActionPlan, inviter: User
) -> EmailMultiAlternatives:
    """The invitation in the language of its address (orgs.language: the account's
    preference, else LANGUAGE_CODE), not in the inviter's."""
    with translation.override(language_of(invitation.email)):
        return _invitation_message(invitation, plan, inviter)


def _invitation_message(
    invitation: Invitation, plan: ActionPlan, inviter: User
) -> EmailMultiAlternatives:
    inviter_person = Person.objects.filter(user_id=inviter.pk).only("name").first()
    context = {
        "name": invitation.person.name,
        "username": invitation.user.get_username(),
        "inviter": inviter_person.name if inviter_person else inviter.get_username(),
        "plan_title": plan.title,
        "plan_url": site_url(plan.get_absolute_url()),
        "set_password_url": set_password_url(invitation.user),
        "login_url": site_url(f"{reverse('login')}?next={reverse('actionplans:my_action_points')}"),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "site_url": settings.SITE_URL,
    }
    subject = _("%(inviter)s invites you to the PIM Action Tracker") % {
        "inviter": context["inviter"]
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("notifications/email/invitation.html", context), "text/html"
    )
    return message


def _send(invitation: Invitation, plan: ActionPlan, inviter: User) -> None:
    try:
        invitation_message(invitation, plan, inviter).send()
    except Exception as error:  # any failure of the mail server is reported, not raised
        invitation.email_status = "failed"
        invitation.email_error = str(error) or error.__class__.__name__
        logger.warning(
            "Invitation email to %s (person %s) could not be sent: %s",
            invitation.email,
            invitation.person.pk,
            invitation.email_error,
        )
    else:
        invitation.email_status = "sent"


# --- linking an existing account ------------------------------------------------------


def find_account(identifier: str) -> User:
    """The active account with this username (exact), else with this email (ignoring
    case); a ValidationError on the "account" field when none or several fit."""
    if not isinstance(identifier, str) or not identifier.strip():
        raise ValidationError({"account": _("Enter a username or an email address.")})
    identifier = identifier.strip()
    model = get_user_model()
    accounts = list(model.objects.filter(username=identifier))
    if not accounts:
        accounts = list(model.objects.filter(email__iexact=identifier)[:2])
    if not accounts:
        raise ValidationError(
            {"account": _("No account has the username or email “%(id)s”.") % {"id": identifier}},
            code="no_account",
        )
    if len(accounts) > 1:
        raise ValidationError(
            {
                "account": _("Several accounts use the email “%(id)s”: give the username instead.")
                % {"id": identifier}
            },
            code="ambiguous",
        )
    account = accounts[0]
    if not account.is_active:
        raise ValidationError(
            {
                "account": _("The account “%(username)s” is disabled.")
                % {"username": account.get_username()}
            },
            code="inactive",
        )
    return account


@transaction.atomic
def person_link_account(
    *, plan: ActionPlan, person: Person, account: str | User, linked_by: User
) -> Person:
    """Link an existing active account (a user, or its username or email) to a person
    of the plan who has none; refused when the account belongs to another person."""
    _require_coordinator(linked_by, plan)
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_person_of(plan, person)
    if person.user_id is not None:
        raise ValidationError(
            _("%(name)s already has an account.") % {"name": isolate(person.name)},
            code="has_account",
        )
    if isinstance(account, str):
        account = find_account(account)
    elif not account.is_active:
        raise ValidationError(
            {
                "account": _("The account “%(username)s” is disabled.")
                % {"username": account.get_username()}
            },
            code="inactive",
        )
    holder = Person.objects.filter(user_id=account.pk).first()
    if holder is not None:
        raise ValidationError(
            {
                "account": _("The account “%(username)s” is already linked to %(name)s.")
                % {"username": account.get_username(), "name": isolate(holder.name)}
            },
            code="linked_elsewhere",
        )
    return person_update(person=person, user=account)
