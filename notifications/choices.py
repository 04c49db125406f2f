"""What the tracker tells people about, each kind with a stable slug."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    # Reminders, found by send_reminders from the domain's date rules.
    DUE_SOON = "due_soon", _("Deadline coming up")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Overdue (weekly)")
    STALE = "stale", _("No update for a while")
    # Events, recorded as they happen in the services.
    ASSIGNED = "assigned", _("Named focal point")
    RESCHEDULED = "rescheduled", _("Deadline moved")
    COMMENTED = "commented", _("New update on your action point")
    EXTENSION_REQUESTED = "extension_requested", _("Deadline extension asked")
    EXTENSION_DECIDED = "extension_decided", _("Deadline extension decided")
    MENTIONED = "mentioned", _("Mentioned in a comment")
    WATCHED = "watched", _("News on an action point you watch")
    TO_VERIFY = "to_verify", _("Completed, to verify")
    SENT_BACK = "sent_back", _("Completion sent back")
    # Coordinators, once a week per plan.
    DIGEST = "digest", _("Weekly plan digest")


REMINDER_KINDS = (Kind.DUE_SOON, Kind.DUE_TODAY, Kind.OVERDUE, Kind.STALE)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    FAILED = "failed", _("Failed")
    NOTHING = "nothing", _("Nothing left to send")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
