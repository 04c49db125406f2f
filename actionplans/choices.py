"""Choices shared by the models, forms, filters, API and importer."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class PlanVisibility(models.TextChoices):
    SIGNED_IN = "signed_in", _("All signed-in users")
    MEMBERS = "members", _("Members only")


class ActionPointStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Open = still to be delivered: these are the statuses that can be overdue or due soon.
OPEN_STATUSES: tuple[str, ...] = (
    ActionPointStatus.NOT_STARTED,
    ActionPointStatus.IN_PROGRESS,
    ActionPointStatus.BLOCKED,
)


class DeadlinePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half year")
    YEAR = "year", _("Year")
    NONE = "none", _("No date")


class FocalPointRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORT = "support", _("Support")
    ADVISOR = "advisor", _("Advisor")
