"""Comments on action points, with @mentions, and watchers.

Everyone who may see an action point may comment on it and watch it
(permissions.can_comment); a closed plan refuses both comments and their edits,
like every other change. A comment's author may correct it for
settings.COMMENT_EDIT_MINUTES; the plan's coordinators (and administrators) may
delete it: the row stays, marked deleted (who, when), its text kept in the row
and its history but no longer shown. Mentions are resolved by actionplans.mentions
against the people who may be mentioned (permissions.mentionable_people).

Posting a comment makes its author a watcher. The comment_posted signal tells the
notifications app whom to notify (the people newly mentioned, the watchers).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actionplans import mentions, signals
from actionplans.models import ActionPoint, Comment, Watch
from actionplans.permissions import (
    can_comment,
    can_delete_comment,
    comment_edit_deadline,
    mentionable_people,
)
from actionplans.services.common import User, check_text, require_open_plan_of
from orgs.models import Person

MAX_COMMENT_LENGTH = 5000


def _checked_body(body: str, *, author: User, action_point: ActionPoint) -> tuple[str, list]:
    body = check_text(
        body, field="body", label=_("Comment"), required=True, max_length=MAX_COMMENT_LENGTH
    )
    plan = action_point.challenge.working_group.plan
    people = mentionable_people(author, plan).select_related("organization")
    body, mentioned = mentions.resolve(body, people)
    if len(body) > MAX_COMMENT_LENGTH:  # tokens are longer than the names typed
        raise ValidationError(
            {
                "body": _(
                    "With its mentions written out, this comment is %(length)s characters "
                    "long; the most is %(most)s."
                )
                % {"length": len(body), "most": MAX_COMMENT_LENGTH}
            }
        )
    return body, mentioned


def _save(comment: Comment, user: User) -> None:
    comment.full_clean(exclude=["mentions"])
    comment._history_user = user
    comment.save()


def _start_watching(action_point: ActionPoint, user: User) -> None:
    Watch.objects.get_or_create(action_point=action_point, user=user)


@transaction.atomic
def comment_create(*, action_point: ActionPoint, author: User, body: str) -> Comment:
    """Post a comment. PermissionDenied for someone who may not see the action point;
    ValidationError (on "body") for blank or too long text, a mention of someone who
    may not be mentioned, or a name that is several people's; ValidationError for a
    closed plan. The author starts watching the action point."""
    if author is None or not can_comment(author, action_point):
        raise PermissionDenied(_("You may not comment on this action point."))
    body, mentioned = _checked_body(body, author=author, action_point=action_point)
    require_open_plan_of(action_point)
    comment = Comment(action_point=action_point, author=author, body=body)
    _save(comment, author)
    comment.mentions.set(mentioned)
    _start_watching(action_point, author)
    signals.comment_posted.send(sender=Comment, comment=comment, mentioned=mentioned, user=author)
    return comment


def _minutes(count: int) -> str:
    return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}


@transaction.atomic
def comment_edit(*, comment: Comment, user: User, body: str) -> Comment:
    """Correct a comment: its author only, within COMMENT_EDIT_MINUTES of posting it,
    while it is not deleted and its plan is open (PermissionDenied otherwise, saying
    which). The old text stays in the comment's history; people mentioned for the
    first time are notified."""
    comment = (
        Comment.objects.select_for_update()
        .select_related("action_point__challenge__working_group__plan")
        .get(pk=comment.pk)
    )
    if user is None or comment.author_id != user.pk:
        raise PermissionDenied(_("Only its author can edit a comment."))
    if comment.deleted_at is not None:
        raise PermissionDenied(_("This comment was deleted: it can no longer be edited."))
    if timezone.now() > comment_edit_deadline(comment):
        raise PermissionDenied(
            _(
                "A comment can be edited for %(minutes)s after it is posted; this one was "
                "posted on %(posted)s. Post a new comment instead."
            )
            % {
                "minutes": _minutes(settings.COMMENT_EDIT_MINUTES),
                "posted": date_format(timezone.localtime(comment.created), "j M Y, H:i"),
            }
        )
    point = comment.action_point
    if not can_comment(user, point):
        raise PermissionDenied(_("You may not comment on this action point."))
    body, mentioned = _checked_body(body, author=user, action_point=point)
    require_open_plan_of(point)
    if body == comment.body:
        raise ValidationError({"body": _("The comment is unchanged.")}, code="no_change")
    before = set(comment.mentions.values_list("id", flat=True))
    comment.body = body
    comment.edited = timezone.now()
    _save(comment, user)
    comment.mentions.set(mentioned)
    added = [person for person in mentioned if person.pk not in before]
    signals.comment_posted.send(sender=Comment, comment=comment, mentioned=added, user=user)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: User) -> Comment:
    """Delete a comment: the plan's coordinators and administrators. The row stays,
    marked deleted by the user; its text stays in the row and its history. A closed
    plan refuses it; a comment deleted already is left as it was."""
    comment = (
        Comment.objects.select_for_update()
        .select_related("action_point__challenge__working_group__plan")
        .get(pk=comment.pk)
    )
    if user is None or not can_delete_comment(user, comment):
        raise PermissionDenied(_("Only the plan's coordinators can delete a comment."))
    require_open_plan_of(comment.action_point)
    if comment.deleted_at is not None:
        return comment
    comment.deleted_at = timezone.now()
    comment.deleted_by = user
    comment._history_user = user
    comment.save(update_fields=["deleted_at", "deleted_by", "updated"])
    signals.comment_deleted.send(sender=Comment, comment=comment, user=user)
    return comment


def comment_mentions_move(*, kept: Person, merged: Person) -> None:
    """Mentions of `merged` become mentions of `kept` (person_merge); the text of the
    comments keeps the name as written."""
    through = Comment.mentions.through
    rows = through.objects.filter(person=merged)
    already = set(through.objects.filter(person=kept).values_list("comment_id", flat=True))
    # The comments read differently (their mentions): a new `updated` for a sync.
    Comment.objects.filter(pk__in=rows.values("comment_id")).update(updated=timezone.now())
    rows.filter(comment_id__in=already).delete()
    rows.update(person=kept)


# --- watchers ---------------------------------------------------------------------------


def watch_start(*, action_point: ActionPoint, user: User) -> Watch:
    """Watch an action point (anyone who may see it); watching it already is no error."""
    if user is None or not can_comment(user, action_point):
        raise PermissionDenied(_("You may not watch this action point."))
    watch, _created = Watch.objects.get_or_create(action_point=action_point, user=user)
    return watch


def watch_stop(*, action_point: ActionPoint, user: User) -> None:
    """Stop watching; not watching it is no error."""
    Watch.objects.filter(action_point=action_point, user=user).delete()
