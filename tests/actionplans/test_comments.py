"""Comments with @mentions and watchers: the services, the rules per role, the
notifications and the action point's page."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from actionplans import mentions, services
from actionplans import permissions as perms
from actionplans.choices import PlanStatus, PlanVisibility
from actionplans.models import Comment, Watch
from notifications.choices import Kind
from notifications.models import Notification, Preference
from tests.factories import PersonFactory, UserFactory
from tests.users import build_world

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def world():
    world = build_world()
    fanette_user = UserFactory(username="fanette", email="fanette@example.org")
    world.fanette = PersonFactory(name="Fanette Dupont", user=fanette_user)
    world.fanette_user = fanette_user
    world.group.team_members.add(world.fanette)
    return world


def _notifications(kind):
    return sorted(
        (n.recipient or n.user.username, n.key)
        for n in Notification.objects.filter(kind=kind).select_related("user")
    )


# --- mentions: writing, resolving, showing ------------------------------------------------


def test_resolve_typed_name_becomes_token(world):
    body, people = mentions.resolve("Thanks @fanette dupont, see you.", [world.fanette])
    assert body == f"Thanks @[Fanette Dupont](person:{world.fanette.pk}), see you."
    assert people == [world.fanette]


def test_resolve_longest_name_wins_and_email_is_text(world):
    fanette_alone = PersonFactory(name="Fanette")
    body, people = mentions.resolve(
        "@Fanette Dupont and @Fanette; mail a@Fanette.org", [world.fanette, fanette_alone]
    )
    assert body == (
        f"@[Fanette Dupont](person:{world.fanette.pk}) and "
        f"@[Fanette](person:{fanette_alone.pk}); mail a@Fanette.org"
    )
    assert people == [world.fanette, fanette_alone]


def test_resolve_unknown_name_stays_text(world):
    assert mentions.resolve("meet @home", [world.fanette]) == ("meet @home", [])


def test_resolve_ambiguous_name_lists_the_tokens(world):
    one = PersonFactory(name="Ali Hassan")
    two = PersonFactory(name="Ali Hassan")
    with pytest.raises(ValidationError) as raised:
        mentions.resolve("ask @Ali Hassan", [one, two])
    assert raised.value.message_dict == {
        "body": [
            "“@Ali Hassan” could be several people of this plan. Write the one you mean as "
            f"shown here: @[Ali Hassan](person:{one.pk}), @[Ali Hassan](person:{two.pk})."
        ]
    }


def test_resolve_token_of_someone_else_is_refused(world):
    hidden = PersonFactory(name="Hidden")
    with pytest.raises(ValidationError) as raised:
        mentions.resolve(f"@[Hidden](person:{hidden.pk}) hi", [world.fanette])
    assert raised.value.message_dict == {
        "body": [
            f"“@[Hidden](person:{hidden.pk})”: you cannot mention this person here. "
            "Mention someone named in this plan, or one of its coordinators."
        ]
    }


def test_segments_show_mentions_apart():
    assert mentions.segments("hi @[A <b>](person:3)!") == [
        ("hi ", False),
        ("@A <b>", True),
        ("!", False),
    ]
    assert mentions.plain("hi @[A](person:3)!") == "hi @A!"


# --- services ------------------------------------------------------------------------------


def test_comment_create_stores_mentions_and_watches(world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="  Ping @Fanette Dupont  "
    )
    assert comment.body == f"Ping @[Fanette Dupont](person:{world.fanette.pk})"
    assert list(comment.mentions.all()) == [world.fanette]
    assert Watch.objects.filter(action_point=world.action_point, user=world.member).exists()
    # History keeps the text and, once set, the mentions (a second row).
    latest = comment.history.latest()
    assert latest.body == comment.body
    assert [m.person_id for m in latest.mentions.all()] == [world.fanette.pk]


def test_comment_create_blank_is_refused(world):
    with pytest.raises(ValidationError) as raised:
        services.comment_create(action_point=world.action_point, author=world.member, body=" ")
    assert raised.value.message_dict == {"body": ["Comment is required."]}
    assert not Comment.objects.exists()


def test_comment_create_too_long_is_refused(world):
    with pytest.raises(ValidationError) as raised:
        services.comment_create(
            action_point=world.action_point, author=world.member, body="x" * 5001
        )
    assert raised.value.message_dict == {
        "body": ["Comment is 5001 characters long; the most is 5000."]
    }


def test_comment_create_mention_of_hidden_person_writes_nothing(world):
    secret = PersonFactory(name="Secret Person")
    world.other_plan.working_groups.first().team_members.add(secret)
    with pytest.raises(ValidationError):
        services.comment_create(
            action_point=world.action_point,
            author=world.member,
            body=f"@[Secret Person](person:{secret.pk})",
        )
    assert not Comment.objects.exists()
    assert not Watch.objects.exists()


def test_comment_create_on_closed_plan_is_refused(world):
    world.plan.status = PlanStatus.CLOSED
    world.plan.save()
    with pytest.raises(ValidationError) as raised:
        services.comment_create(action_point=world.action_point, author=world.member, body="hi")
    assert raised.value.messages == ["This plan is closed: reopen it before changing it."]


def test_comment_create_by_someone_who_cannot_see_is_refused(world):
    with pytest.raises(PermissionDenied) as raised:
        services.comment_create(action_point=world.action_point, author=world.viewer, body="hi")
    assert str(raised.value) == "You may not comment on this action point."


def test_comment_edit_within_window_keeps_history(world):
    with time_machine.travel(T0, tick=False):
        comment = services.comment_create(
            action_point=world.action_point, author=world.member, body="first"
        )
    with time_machine.travel(T0 + datetime.timedelta(minutes=15), tick=False):
        services.comment_edit(comment=comment, user=world.member, body="second")
    comment.refresh_from_db()
    assert comment.body == "second"
    assert comment.edited == T0 + datetime.timedelta(minutes=15)
    bodies = [h.body for h in comment.history.order_by("history_date", "history_id")]
    assert list(dict.fromkeys(bodies)) == ["first", "second"]


def test_comment_edit_after_window_is_refused(world, settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(T0, tick=False):
        comment = services.comment_create(
            action_point=world.action_point, author=world.member, body="first"
        )
    late = T0 + datetime.timedelta(minutes=15, seconds=1)
    with time_machine.travel(late, tick=False), pytest.raises(PermissionDenied) as raised:
        services.comment_edit(comment=comment, user=world.member, body="second")
    assert str(raised.value) == (
        "A comment can be edited for 15 minutes after it is posted; this one was posted on "
        "2 Mar 2026, 09:00. Post a new comment instead."
    )
    comment.refresh_from_db()
    assert comment.body == "first"


def test_comment_edit_by_someone_else_is_refused(world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="first"
    )
    with pytest.raises(PermissionDenied) as raised:
        services.comment_edit(comment=comment, user=world.coordinator, body="second")
    assert str(raised.value) == "Only its author can edit a comment."


def test_comment_delete_by_coordinator_keeps_text(world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="first"
    )
    services.comment_delete(comment=comment, user=world.coordinator)
    comment.refresh_from_db()
    assert comment.deleted_by == world.coordinator
    assert comment.deleted_at is not None
    assert comment.body == "first"
    assert comment.history.latest().deleted_by_id == world.coordinator.pk
    assert comment.history.latest().body == "first"


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_comment_delete_by_others_is_refused(world, role):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="first"
    )
    with pytest.raises(PermissionDenied) as raised:
        services.comment_delete(comment=comment, user=getattr(world, role))
    assert str(raised.value) == "Only the plan's coordinators can delete a comment."
    comment.refresh_from_db()
    assert comment.deleted_at is None


def test_watch_start_and_stop_are_idempotent(world):
    services.watch_start(action_point=world.action_point, user=world.member)
    services.watch_start(action_point=world.action_point, user=world.member)
    assert Watch.objects.count() == 1
    services.watch_stop(action_point=world.action_point, user=world.member)
    services.watch_stop(action_point=world.action_point, user=world.member)
    assert Watch.objects.count() == 0


def test_watch_start_needs_to_see_the_point(world):
    with pytest.raises(PermissionDenied):
        services.watch_start(action_point=world.action_point, user=world.viewer)


def test_merge_moves_mentions(world):
    twin = PersonFactory(name="Fanette D.")
    world.group.team_members.add(twin)
    comment = services.comment_create(
        action_point=world.action_point,
        author=world.member,
        body=f"@[Fanette D.](person:{twin.pk})",
    )
    services.person_merge(kept=world.fanette, merged=twin, user=world.admin)
    assert list(comment.mentions.all()) == [world.fanette]


# --- who may: per role ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visibility", "allowed"),
    [
        ("admin", PlanVisibility.MEMBERS, True),
        ("coordinator", PlanVisibility.MEMBERS, True),
        ("member", PlanVisibility.MEMBERS, True),
        ("viewer", PlanVisibility.MEMBERS, False),
        ("viewer", PlanVisibility.SIGNED_IN, True),
    ],
)
def test_can_comment_per_role(world, role, visibility, allowed):
    world.plan.visibility = visibility
    world.plan.save()
    assert perms.can_comment(getattr(world, role), world.action_point) is allowed


def test_mentionable_people_are_the_plans_and_its_coordinators(world):
    PersonFactory(name="Coco Ordinator", user=world.coordinator)
    PersonFactory(name="Nobody Here")
    names = sorted(p.name for p in perms.mentionable_people(world.coordinator, world.plan))
    assert names == ["Coco Ordinator", "Fanette Dupont", "Jad"]
    # Among the people the user may see: a member does not see a coordinator's
    # person named in no plan (permissions.visible_people).
    names = sorted(p.name for p in perms.mentionable_people(world.member, world.plan))
    assert names == ["Fanette Dupont", "Jad"]


# --- notifications -------------------------------------------------------------------------


def test_mention_notifies_the_mentioned_account_not_the_author(world):
    comment = services.comment_create(
        action_point=world.action_point,
        author=world.member,
        body="@Fanette Dupont and @Jad, please",
    )
    assert _notifications(Kind.MENTIONED) == [("fanette@example.org", f"mentioned:{comment.pk}")]
    notification = Notification.objects.get(kind=Kind.MENTIONED)
    assert notification.user == world.fanette_user
    assert notification.detail == {"by": "Jad", "comment": "@Fanette Dupont and @Jad, please"}


def test_mention_respects_a_muted_kind(world):
    Preference.objects.create(email="fanette@example.org", muted_kinds=[Kind.MENTIONED])
    services.comment_create(
        action_point=world.action_point, author=world.member, body="@Fanette Dupont"
    )
    assert not Notification.objects.filter(kind=Kind.MENTIONED).exists()


def test_edit_notifies_only_new_mentions(world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.coordinator, body="@Fanette Dupont"
    )
    services.comment_edit(comment=comment, user=world.coordinator, body="@Fanette Dupont @Jad")
    assert _notifications(Kind.MENTIONED) == [
        ("fanette@example.org", f"mentioned:{comment.pk}"),
        ("member@example.org", f"mentioned:{comment.pk}"),
    ]


def test_watchers_told_of_comments_updates_and_moves_once(world):
    world.plan.visibility = PlanVisibility.SIGNED_IN
    world.plan.save()
    for user in (world.fanette_user, world.coordinator, world.member, world.viewer):
        services.watch_start(action_point=world.action_point, user=user)
    comment = services.comment_create(
        action_point=world.action_point, author=world.coordinator, body="Looks good"
    )
    update = services.progress_update_create(
        action_point=world.action_point, author=world.coordinator, progress=40, note="Half"
    )
    change = services.action_point_reschedule(
        action_point=world.action_point,
        new_deadline="2019",
        reason="Later",
        changed_by=world.fanette_user,
    )
    # Jad and Fanette carry the point (group members): the update and the move
    # reach them as such (COMMENTED, RESCHEDULED), not twice; nobody hears of
    # their own action.
    assert _notifications(Kind.WATCHED) == [
        ("coordinator@example.org", f"watched:rescheduled:{change.pk}"),
        ("fanette@example.org", f"watched:comment:{comment.pk}"),
        ("member@example.org", f"watched:comment:{comment.pk}"),
        ("viewer@example.org", f"watched:comment:{comment.pk}"),
        ("viewer@example.org", f"watched:rescheduled:{change.pk}"),
        ("viewer@example.org", f"watched:update:{update.pk}"),
    ]
    assert _notifications(Kind.COMMENTED) == [
        ("fanette@example.org", f"commented:{update.pk}"),
        ("member@example.org", f"commented:{update.pk}"),
    ]
    assert Notification.objects.get(key=f"watched:update:{update.pk}").detail == {
        "by": "coordinator",
        "event": "update",
        "note": "Half",
        "status": "Not started",
        "progress": 40,
    }


def test_mentioned_watcher_gets_the_mention_only(world):
    services.watch_start(action_point=world.action_point, user=world.fanette_user)
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="@Fanette Dupont look"
    )
    assert _notifications(Kind.MENTIONED) == [("fanette@example.org", f"mentioned:{comment.pk}")]
    assert _notifications(Kind.WATCHED) == []


def test_watcher_who_no_longer_sees_the_point_is_not_told(world):
    services.watch_start(action_point=world.action_point, user=world.fanette_user)
    world.group.team_members.remove(world.fanette)
    services.comment_create(action_point=world.action_point, author=world.member, body="hi")
    assert _notifications(Kind.WATCHED) == []


def test_deleted_comment_leaves_the_notifications(world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="@Fanette Dupont secret"
    )
    services.comment_delete(comment=comment, user=world.coordinator)
    assert Notification.objects.get(kind=Kind.MENTIONED).detail == {"by": "Jad", "deleted": True}


# --- the action point's page --------------------------------------------------------------


def _detail(client, world):
    return client.get(f"/action-points/{world.action_point.pk}/")


def test_page_shows_comments_mentions_and_markers(client, world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="<b>Hi</b> @Fanette Dupont"
    )
    gone = services.comment_create(
        action_point=world.action_point, author=world.member, body="secret words"
    )
    services.comment_delete(comment=gone, user=world.coordinator)
    client.force_login(world.member)
    response = _detail(client, world)
    assertContains(
        response,
        '<p class="comment-body" dir="auto">&lt;b&gt;Hi&lt;/b&gt; '
        '<mark class="mention">@Fanette Dupont</mark></p>',
        html=False,
    )
    today = timezone.localdate().strftime("%-d %b %Y")
    assertContains(response, f"Comment deleted by coordinator on {today}.")
    assertNotContains(response, "secret words")
    assertContains(response, f'href="/comments/{comment.pk}/edit/"')
    assertNotContains(response, f'href="/comments/{comment.pk}/delete/"')
    assertContains(response, "Stop watching")


def test_page_post_comment_and_errors(client, world):
    client.force_login(world.member)
    url = f"/action-points/{world.action_point.pk}/comments/"
    response = client.post(url, {"body": "Hello @Fanette Dupont"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/action-points/{world.action_point.pk}/#comment-{comment.pk}"
    response = client.post(url, {"body": "  "})
    assert response.status_code == 400
    assertContains(response, "This field is required.", status_code=400)


def test_page_comment_on_hidden_point_is_404(client, world):
    client.force_login(world.viewer)
    response = client.post(f"/action-points/{world.action_point.pk}/comments/", {"body": "x"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_page_edit_and_delete(client, world):
    comment = services.comment_create(
        action_point=world.action_point, author=world.member, body="first"
    )
    client.force_login(world.member)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "second"})
    assert response.status_code == 302
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 403
    client.force_login(world.coordinator)
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "x"}).status_code == 403
    assert client.get(f"/comments/{comment.pk}/delete/").status_code == 200
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 302
    comment.refresh_from_db()
    assert (comment.body, comment.deleted_by) == ("second", world.coordinator)


def test_page_watch_toggle(client, world):
    client.force_login(world.member)
    url = f"/action-points/{world.action_point.pk}/watch/"
    assert client.post(url, {"watch": "1"}).status_code == 302
    assert Watch.objects.filter(user=world.member).count() == 1
    assert client.post(url, {"watch": "0"}).status_code == 302
    assert not Watch.objects.exists()
    client.force_login(world.viewer)
    assert client.post(url, {"watch": "1"}).status_code == 404


def test_mention_suggestions_are_the_plans_people(client, world):
    PersonFactory(name="Fanny Elsewhere")
    client.force_login(world.member)
    response = client.get(f"/action-points/{world.action_point.pk}/mentions/?q=Fa")
    assert response.json() == {
        "results": [
            {
                "id": world.fanette.pk,
                "name": "Fanette Dupont",
                "organization": "",
                "token": f"@[Fanette Dupont](person:{world.fanette.pk})",
            }
        ]
    }
    client.force_login(world.viewer)
    assert client.get(f"/action-points/{world.action_point.pk}/mentions/?q=Fa").status_code == 404


def _count_detail_queries(client, world, count):
    Comment.objects.all().delete()
    for number in range(count):
        services.comment_create(
            action_point=world.action_point,
            author=world.member if number % 2 else world.coordinator,
            body=f"Note {number} for @Fanette Dupont",
        )
    client.force_login(world.member)
    with CaptureQueriesContext(connection) as queries:
        assert _detail(client, world).status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_comments(client, world):
    assert _count_detail_queries(client, world, 2) == _count_detail_queries(client, world, 20)


def test_emails_and_inbox_read_mentions_and_watched_news(client, world):
    from notifications.emails import compose
    from notifications.models import Delivery

    services.watch_start(action_point=world.action_point, user=world.coordinator)
    services.comment_create(
        action_point=world.action_point, author=world.member, body="Ping @Fanette Dupont"
    )
    point = world.action_point
    today = timezone.localdate()
    for address, kind, title, text in (
        ("fanette@example.org", Kind.MENTIONED, "Mentioned in a comment", "Jad mentioned you"),
        (
            "coordinator@example.org",
            Kind.WATCHED,
            "News on an action point you watch",
            "Jad commented.",
        ),
    ):
        notifications = list(Notification.objects.filter(recipient=address, kind=kind))
        delivery = Delivery.objects.create(recipient=address, day=today)
        message = compose(delivery, notifications, {point.pk: point}, language="en")
        assert message.subject == f"{title}: {point.description}"
        assert text in message.body
        assert "Ping @Fanette Dupont" in message.body
        assert text in message.alternatives[0][0]
    client.force_login(world.coordinator)
    content = client.get("/notifications/").content.decode()
    assert "Jad commented." in content
    assert '<q dir="auto">Ping @Fanette Dupont</q>' in content
