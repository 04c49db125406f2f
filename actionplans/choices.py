"""Choices shared by the models, forms, filters, API and importer."""

from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class PlanVisibility(models.TextChoices):
    SIGNED_IN = "signed_in", "All signed-in users"
    MEMBERS = "members", "Members only"


class ActionPointStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# Open = still to be delivered: these are the statuses that can be overdue or due soon.
OPEN_STATUSES: tuple[str, ...] = (
    ActionPointStatus.NOT_STARTED,
    ActionPointStatus.IN_PROGRESS,
    ActionPointStatus.BLOCKED,
)


class DeadlinePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    HALF = "half", "Half year"
    YEAR = "year", "Year"
    NONE = "none", "No date"


class FocalPointRole(models.TextChoices):
    LEAD = "lead", "Lead"
    SUPPORT = "support", "Support"
    ADVISOR = "advisor", "Advisor"
