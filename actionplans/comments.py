"""Reading comments and watchers: what the action point's page and the API show.

A deleted comment is shown as a marker ("deleted by … on …") without its text;
its text stays in the row and in its history. Each comment is read with its
author, who deleted it and whom it mentions in a fixed number of queries,
whatever the number of comments.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from actionplans import mentions
from actionplans import permissions as perms
from actionplans.forms import CommentForm
from actionplans.models import ActionPoint, Comment, Watch
from orgs.matching import match_key
from orgs.models import Person


def user_name(user) -> str:
    """How an account is named beside a comment: its person's name, else its username."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def comments_of(action_point: ActionPoint | int) -> QuerySet[Comment]:
    """The comments of an action point, oldest first, with their authors, deleters and
    mentions (two queries)."""
    return (
        Comment.objects.filter(action_point=action_point)
        .select_related("author__person", "deleted_by__person")
        .prefetch_related(
            Prefetch("mentions", queryset=Person.objects.order_by("name", "id").only("id", "name"))
        )
        .order_by("created", "id")
    )


def prepare(user, comments, action_point: ActionPoint) -> list[Comment]:
    """Each comment with what a page shows: `segments` (its text and mentions, empty
    once deleted), `author_name`, `deleted_by_name`, `can_edit`, `can_delete`."""
    plan = action_point.challenge.working_group.plan
    may_delete = perms.can_edit_plan(user, plan) and plan.accepts_changes
    rows = list(comments)
    for comment in rows:
        deleted = comment.deleted_at is not None
        comment.segments = [] if deleted else mentions.segments(comment.body)
        comment.author_name = user_name(comment.author)
        comment.deleted_by_name = user_name(comment.deleted_by)
        comment.can_edit = plan.accepts_changes and perms.can_edit_comment(user, comment)
        comment.can_delete = may_delete and not deleted
    return rows


def is_watching(user, action_point: ActionPoint) -> bool:
    return (
        user.is_authenticated
        and Watch.objects.filter(action_point=action_point, user_id=user.pk).exists()
    )


def mention_suggestions(user, action_point: ActionPoint, text: str, limit: int = 10) -> list:
    """The people who may be mentioned on this action point whose name contains the
    text (compared by match_key), names starting with it first. One query."""
    key = match_key(text)
    plan = action_point.challenge.working_group.plan
    people = perms.mentionable_people(user, plan).select_related("organization")
    if key:
        people = people.filter(match_key__contains=key).annotate(
            starts=Case(
                When(Q(match_key__startswith=key) | Q(match_key__contains=f" {key}"), then=1),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        people = people.order_by("-starts", "name", "id")
    else:
        people = people.order_by("name", "id")
    return list(people[:limit])


def page_context(user, point: ActionPoint, form=None) -> dict:
    """What the comments section of the action point's page shows."""
    plan = point.challenge.working_group.plan
    return {
        "comments": prepare(user, comments_of(point), point),
        "comment_form": form or CommentForm(auto_id="id_comment_%s"),
        "can_comment": plan.accepts_changes,  # whoever sees the page may comment
        "watching": is_watching(user, point),
    }
