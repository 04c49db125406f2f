"""The domain's signals (actionplans/signals.py) turned into notifications."""

from django.dispatch import receiver

from actionplans import signals
from notifications import services
from notifications.models import Notification, OneClickUse


@receiver(signals.focal_point_named)
def on_focal_point_named(sender, action_point, person, user, **kwargs):
    services.notify_focal_point_named(action_point=action_point, person=person, user=user)


@receiver(signals.action_point_rescheduled)
def on_rescheduled(sender, change, user, **kwargs):
    services.notify_rescheduled(change=change, user=user)


@receiver(signals.progress_recorded)
def on_progress_recorded(sender, update, user, **kwargs):
    services.notify_commented(update=update, user=user)


@receiver(signals.extension_requested)
def on_extension_requested(sender, request, **kwargs):
    services.notify_extension_requested(request=request)


@receiver(signals.extension_decided)
def on_extension_decided(sender, request, **kwargs):
    services.notify_extension_decided(request=request)


@receiver(signals.person_merged)
def on_person_merged(sender, kept, merged, **kwargs):
    """A merged person's notifications and spent one-click links become the kept
    person's (inside the merge's transaction): their inbox and the record that a
    link was used follow them."""
    Notification.objects.filter(person=merged).update(person=kept)
    OneClickUse.objects.filter(person=merged).update(person=kept)
