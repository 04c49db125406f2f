"""Forms for people and organizations.

The case-insensitive unique constraints on Person.email and Organization.name
are expressions (Lower(...)), which Django reports as errors of the whole
form. The clean_<field> methods below check them first so that the message
stands next to the field the user has to change; a field that already has an
error is left out of the constraint check, so the message is not repeated.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actionplans.permissions import is_admin
from orgs.models import Organization, Person
from orgs.services import clean_name


def _constraint_message(model: type, name: str) -> str:
    """The violation message written on the model, so the two never drift apart."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return constraint.get_violation_error_message()


class PersonForm(forms.ModelForm):
    """Name, email and organization; administrators also link the user account."""

    class Meta:
        model = Person
        fields = ["name", "email", "organization", "user"]
        error_messages = {
            "name": {"required": _("A person needs a name.")},
            "user": {"unique": _("This account is already linked to another person.")},
        }
        help_texts = {
            "email": _("Optional. Shown only to coordinators and administrators."),
            "user": _("Lets this person sign in and update the action points they carry."),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.order_by("name")
        self.fields["organization"].empty_label = _("No organization")
        if is_admin(user):
            # Inactive accounts are not offered, except the one already linked.
            self.fields["user"].queryset = (
                get_user_model()
                .objects.filter(Q(is_active=True) | Q(pk=self.instance.user_id))
                .order_by("username")
            )
            self.fields["user"].empty_label = _("No account")
        else:
            # Linking an account hands over the rights of a person: administrators only.
            del self.fields["user"]

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if (
            email
            and Person.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists()
        ):
            raise forms.ValidationError(
                _constraint_message(Person, "orgs_person_email_ci_unique"), code="unique"
            )
        return email


class OrganizationForm(forms.ModelForm):
    """Name, acronym and kind of an organization."""

    class Meta:
        model = Organization
        fields = ["name", "acronym", "kind"]
        error_messages = {"name": {"required": _("An organization needs a name.")}}
        help_texts = {"acronym": _('Optional, e.g. "UNHCR" or "DRC".')}

    def clean_name(self) -> str:
        name = clean_name(self.cleaned_data["name"])
        if Organization.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _constraint_message(Organization, "orgs_organization_name_ci_unique"),
                code="unique",
            )
        return name


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. the partner system that will use it."),
    )
    read_only = forms.BooleanField(
        label=_("Read only (it can read, never change)"), required=False, initial=True
    )
