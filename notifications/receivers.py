"""The domain's signals (actionplans/signals.py) turned into notifications."""

from django.dispatch import receiver

from actionplans import signals
from notifications import comments, services, verification
from notifications.models import Notification, OneClickUse


@receiver(signals.focal_point_named)
def on_focal_point_named(sender, action_point, person, user, **kwargs):
    services.notify_focal_point_named(action_point=action_point, person=person, user=user)


@receiver(signals.action_point_rescheduled)
def on_rescheduled(sender, change, user, **kwargs):
    told = services.notify_rescheduled(change=change, user=user)
    comments.on_rescheduled(change=change, user=user, told=told)


@receiver(signals.progress_recorded)
def on_progress_recorded(sender, update, user, **kwargs):
    told = services.notify_commented(update=update, user=user)
    comments.on_update(update=update, user=user, told=told)


@receiver(signals.comment_posted)
def on_comment_posted(sender, comment, mentioned, user, **kwargs):
    comments.on_comment(comment=comment, mentioned=mentioned, user=user)


@receiver(signals.comment_deleted)
def on_comment_deleted(sender, comment, **kwargs):
    comments.on_comment_deleted(comment=comment)


@receiver(signals.extension_requested)
def on_extension_requested(sender, request, **kwargs):
    services.notify_extension_requested(request=request)


@receiver(signals.extension_decided)
def on_extension_decided(sender, request, **kwargs):
    services.notify_extension_decided(request=request)


@receiver(signals.action_point_completed)
def on_completed(sender, update, user, **kwargs):
    verification.notify_to_verify(update=update, user=user)


@receiver(signals.action_point_sent_back)
def on_sent_back(sender, update, user, completed_by, completed_by_person, **kwargs):
    verification.notify_sent_back(
        update=update, user=user, completed_by=completed_by, completed_by_person=completed_by_person
    )


@receiver(signals.person_merged)
def on_person_merged(sender, kept, merged, **kwargs):
    """A merged person's notifications and spent one-click links become the kept
    person's (inside the merge's transaction): their inbox and the record that a
    link was used follow them."""
    Notification.objects.filter(person=merged).update(person=kept)
    OneClickUse.objects.filter(person=merged).update(person=kept)
