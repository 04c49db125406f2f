"""What the tracker tells people about, each kind with a stable slug."""

from django.db import models


class Kind(models.TextChoices):
    # Reminders, found by send_reminders from the domain's date rules.
    DUE_SOON = "due_soon", "Deadline coming up"
    DUE_TODAY = "due_today", "Due today"
    OVERDUE = "overdue", "Overdue (weekly)"
    STALE = "stale", "No update for a while"
    # Events, recorded as they happen in the services.
    ASSIGNED = "assigned", "Named focal point"
    RESCHEDULED = "rescheduled", "Deadline moved"
    COMMENTED = "commented", "New update on your action point"
    EXTENSION_REQUESTED = "extension_requested", "Deadline extension asked"
    EXTENSION_DECIDED = "extension_decided", "Deadline extension decided"
    # Coordinators, once a week per plan.
    DIGEST = "digest", "Weekly plan digest"


REMINDER_KINDS = (Kind.DUE_SOON, Kind.DUE_TODAY, Kind.OVERDUE, Kind.STALE)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed"
    NOTHING = "nothing", "Nothing left to send"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"
