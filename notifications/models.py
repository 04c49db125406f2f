"""Notifications and their email deliveries.

A notification is one thing to tell one address (a reminder, an event, a
digest). Its (recipient, key) pair is unique: that pair is the ledger that
makes `send_reminders` idempotent. A delivery is the one email an address gets
on a day, bundling every notification not yet emailed to it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.choices import DeliveryStatus, Kind, Weekday


class Delivery(models.Model):
    """The day's email to one address; at most one a day."""

    recipient = models.EmailField(_("recipient"))
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "recipient"]
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        constraints = [
            models.UniqueConstraint("recipient", "day", name="notifications_one_delivery_a_day"),
        ]
        # No index on status: with one, PostgreSQL may read a day's deliveries by
        # status for each notification that joins its delivery (queue_deliveries)
        # instead of the unique (recipient, day) pair.

    def __str__(self) -> str:
        return gettext("%(recipient)s on %(day)s (%(status)s)") % {
            "recipient": self.recipient,
            "day": f"{self.day:%Y-%m-%d}",
            "status": self.get_status_display(),
        }


class Notification(models.Model):
    recipient = models.EmailField(_("recipient"), blank=True)
    # The account that sees it in the app, when there is one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # The person of the plan it is about, for focal points and group members:
    # one-click links in the email update as this person.
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    plan = models.ForeignKey(
        "actionplans.ActionPlan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    action_point = models.ForeignKey(
        "actionplans.ActionPoint",
        verbose_name=_("action point"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # Ledger key: what this notification is about, e.g. "due_soon:42:2019-03-31:14".
    key = models.CharField(_("key"), max_length=120)
    # What the message says besides its objects: days left, old deadline, note...
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("delivery"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # The ledger: one notification per address (or, for accounts
            # without an address, per account) and key.
            models.UniqueConstraint(
                "recipient", "key", name="notifications_ledger", condition=~Q(recipient="")
            ),
            models.UniqueConstraint(
                "user", "key", name="notifications_ledger_in_app", condition=Q(recipient="")
            ),
            models.CheckConstraint(
                condition=~Q(recipient="") | Q(user__isnull=False),
                name="notifications_has_recipient",
            ),
        ]
        indexes = [
            models.Index("user", "read_at", name="notifications_user_unread"),
            # Waiting to be emailed: send_reminders bundles these.
            models.Index(
                "recipient",
                name="notifications_undelivered",
                condition=Q(delivery__isnull=True) & ~Q(recipient=""),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s for %(recipient)s") % {
            "kind": self.get_kind_display(),
            "recipient": self.recipient or self.user,
        }


class Preference(models.Model):
    """What an address wants to receive; no row means the defaults."""

    email = models.EmailField(_("email"), unique=True)
    muted_kinds = models.JSONField(_("kinds not wanted"), default=list, blank=True)
    lead_days = models.JSONField(_("days before a deadline"), default=list, blank=True)
    digest_weekday = models.PositiveSmallIntegerField(
        _("digest day"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return self.email

    def wants(self, kind: str) -> bool:
        return kind not in self.muted_kinds

    def leads(self) -> list[int]:
        return sorted(self.lead_days or settings.REMINDER_LEAD_DAYS, reverse=True)


class OneClickUse(models.Model):
    """A one-click link that has been used: links are spent by their first update."""

    nonce = models.CharField(_("nonce"), max_length=32, unique=True)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    action_point = models.ForeignKey(
        "actionplans.ActionPoint", on_delete=models.CASCADE, related_name="+"
    )
    update = models.ForeignKey(
        "actionplans.ProgressUpdate", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    used_at = models.DateTimeField(_("used at"), default=timezone.now)

    class Meta:
        verbose_name = _("used one-click link")
        verbose_name_plural = _("used one-click links")

    def __str__(self) -> str:
        return f"{self.nonce} ({self.used_at:%Y-%m-%d %H:%M})"
