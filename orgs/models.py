"""Organizations and the people who carry action points."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orgs.choices import OrganizationKind
from orgs.matching import match_key


class Organization(models.Model):
    """An agency, NGO, government body, cluster, academic institution or donor."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganizationKind.choices, default=OrganizationKind.OTHER
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="orgs_organization_name_ci_unique",
                violation_error_message=_("An organization with this name already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="orgs_organization_name_not_blank",
                violation_error_message=_("An organization needs a name."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganizationKind.values),
                name="orgs_organization_kind_valid",
                violation_error_message=_("Unknown kind of organization."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


class Person(models.Model):
    """Someone named in a plan: team leader, team member or focal point.

    A person need not have an account; linking one lets them sign in and
    update the action points they carry.
    """

    name = models.CharField(_("name"), max_length=200)
    # The name as orgs/matching.py compares names: set on every save.
    match_key = models.CharField(
        _("matching key"), max_length=200, default="", editable=False, db_index=True
    )
    email = models.EmailField(_("email"), blank=True, default="")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    # Who added the person, for the rule on people named in no plan (who may
    # see and edit them); None for people added by an import or the system.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(Lower("name"), name="orgs_person_name_ci_idx"),
            # A partner's sync (?updated_after=) walks this index page by page.
            models.Index(fields=["updated", "id"], name="orgs_person_sync_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="orgs_person_email_ci_unique",
                violation_error_message=_("Another person already has this email address."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="orgs_person_name_not_blank",
                violation_error_message=_("A person needs a name."),
            ),
        ]

    def __str__(self) -> str:
        # Name only: showing the organization would cost a query per person in lists.
        return self.name

    def save(self, *args, **kwargs):
        self.match_key = match_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "match_key"}
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A key a partner system uses for the REST API, with its owner's rights.

    Only a hash of the key is stored; the key itself is shown once, when it is
    issued. A read-only token can never write, whatever its owner may do.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("What the token is for, e.g. the partner system's name."),
    )
    prefix = models.CharField(
        _("key prefix"),
        max_length=12,
        db_index=True,
        help_text=_("The key's first characters, to recognise it."),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    read_only = models.BooleanField(_("read only"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used"])

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key_hash__regex=r"^[0-9a-f]{64}$"),
                name="orgs_apitoken_key_hash_sha256",
                violation_error_message=_("The key hash must be a SHA-256 hex digest."),
            ),
        ]

    def __str__(self) -> str:
        label = self.name or gettext_now("token")
        return f"{label} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None


class AccountPreference(models.Model):
    """What a user chose for themself that is not about notifications: the language of
    their pages and of the emails sent to their address (orgs/language.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="user",
        on_delete=models.CASCADE,
        related_name="account_preference",
    )
    # A code of settings.LANGUAGES ("en", "fr", "ar"); orgs.services checks it.
    language = models.CharField("language", max_length=10)
    updated = models.DateTimeField("updated", auto_now=True)

    class Meta:
        verbose_name = "account preference"
        verbose_name_plural = "account preferences"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
