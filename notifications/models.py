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

from notifications.choices import DeliveryStatus, Kind, Weekday


class Delivery(models.Model):
    """The day's email to one address; at most one a day."""

    recipient = models.EmailField("recipient")
    day = models.DateField("day")
    status = models.CharField(
        "status", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("attempts", default=0)
    last_error = models.TextField("last error", blank=True)
    created = models.DateTimeField("created", default=timezone.now)
    sent_at = models.DateTimeField("sent at", null=True, blank=True)
    next_attempt_at = models.DateTimeField("next attempt", null=True, blank=True)

    class Meta:
        ordering = ["-day", "recipient"]
        verbose_name = "email delivery"
        verbose_name_plural = "email deliveries"
        constraints = [
            models.UniqueConstraint("recipient", "day", name="notifications_one_delivery_a_day"),
        ]
        # No index on status: with one, PostgreSQL may read a day's deliveries by
        # status for each notification that joins its delivery (queue_deliveries)
        # instead of the unique (recipient, day) pair.

    def __str__(self) -> str:
        return f"{self.recipient} on {self.day:%Y-%m-%d} ({self.get_status_display()})"


class Notification(models.Model):
    recipient = models.EmailField("recipient", blank=True)
    # The account that sees it in the app, when there is one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="user",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # The person of the plan it is about, for focal points and group members:
    # one-click links in the email update as this person.
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name="person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField("kind", max_length=24, choices=Kind.choices)
    plan = models.ForeignKey(
        "actionplans.ActionPlan",
        verbose_name="plan",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    action_point = models.ForeignKey(
        "actionplans.ActionPoint",
        verbose_name="action point",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # Ledger key: what this notification is about, e.g. "due_soon:42:2019-03-31:14".
    key = models.CharField("key", max_length=120)
    # What the message says besides its objects: days left, old deadline, note...
    detail = models.JSONField("detail", default=dict, blank=True)
    created = models.DateTimeField("created", default=timezone.now)
    read_at = models.DateTimeField("read at", null=True, blank=True)
    delivery = models.ForeignKey(
        Delivery,
        verbose_name="delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "notification"
        verbose_name_plural = "notifications"
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
        return f"{self.get_kind_display()} for {self.recipient or self.user}"


class Preference(models.Model):
    """What an address wants to receive; no row means the defaults."""

    email = models.EmailField("email", unique=True)
    muted_kinds = models.JSONField("kinds not wanted", default=list, blank=True)
    lead_days = models.JSONField("days before a deadline", default=list, blank=True)
    digest_weekday = models.PositiveSmallIntegerField(
        "digest day", choices=Weekday.choices, default=Weekday.MONDAY
    )
    time_zone = models.CharField("time zone", max_length=64, blank=True)
    updated = models.DateTimeField("updated", auto_now=True)

    class Meta:
        verbose_name = "notification preference"
        verbose_name_plural = "notification preferences"

    def __str__(self) -> str:
        return self.email

    def wants(self, kind: str) -> bool:
        return kind not in self.muted_kinds

    def leads(self) -> list[int]:
        return sorted(self.lead_days or settings.REMINDER_LEAD_DAYS, reverse=True)


class OneClickUse(models.Model):
    """A one-click link that has been used: links are spent by their first update."""

    nonce = models.CharField("nonce", max_length=32, unique=True)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    action_point = models.ForeignKey(
        "actionplans.ActionPoint", on_delete=models.CASCADE, related_name="+"
    )
    update = models.ForeignKey(
        "actionplans.ProgressUpdate", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    used_at = models.DateTimeField("used at", default=timezone.now)

    class Meta:
        verbose_name = "used one-click link"
        verbose_name_plural = "used one-click links"

    def __str__(self) -> str:
        return f"{self.nonce} ({self.used_at:%Y-%m-%d %H:%M})"
