"""What a webhook can be told about, each event with a stable name."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    ACTION_POINT_CREATED = "action_point.created", _("Action point created")
    ACTION_POINT_UPDATED = "action_point.updated", _("Action point updated")
    ACTION_POINT_RESCHEDULED = "action_point.rescheduled", _("Action point rescheduled")
    ACTION_POINT_COMPLETED = "action_point.completed", _("Action point completed")
    ACTION_POINT_DELETED = "action_point.deleted", _("Action point deleted")
    PLAN_UPDATED = "plan.updated", _("Plan updated")


# Sent by the "send test event" button only; nobody subscribes to it.
PING = "ping"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    RETRYING = "retrying", _("Failed, will retry")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed for 24 hours: given up")
    SKIPPED = "skipped", _("Not sent: the owner may not see it")
