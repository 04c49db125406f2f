"""Merging two records of one person (actionplans.services.person_merge): every
relation moves, once, with history rows; refusals and permissions write nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.signals import post_save
from django.utils import timezone

from actionplans import signals
from actionplans.models import (
    ActionPoint,
    ExtensionRequest,
    FocalPoint,
    Naming,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.services import (
    FocalPointAssignment,
    action_point_create,
    merge_plan,
    person_merge,
    progress_update_create,
    working_group_create,
)
from actionplans.services.merge import joined_notes, stronger_role
from notifications.models import Notification, OneClickUse
from notifications.receivers import on_person_merged
from orgs.models import Person
from tests.factories import (
    ActionPlanFactory,
    ChallengeFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Through = WorkingGroup.team_members.through


def members(group) -> list[str]:
    return [row.person.name for row in Through.objects.filter(workinggroup=group).order_by("id")]


def focal_points(point) -> list[tuple[str, str, str]]:
    return sorted(point.focal_points.values_list("person__name", "role", "note"))


class Scene:
    """`Layla H.` (merged) carries one of every relation a person can have; `Layla`
    (kept) shares some of them."""

    def __init__(self):
        self.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.coordinator = UserFactory(username="coord")
        self.account = UserFactory(username="layla", email="layla@example.org")
        self.org = OrganizationFactory(name="UNHCR", acronym="UNHCR")
        self.plan = ActionPlanFactory(title="Lebanon 2019")
        self.plan.coordinators.add(self.coordinator)
        self.plan2 = ActionPlanFactory(title="Lebanon 2020")
        self.plan2.coordinators.add(self.coordinator)
        self.kept = PersonFactory(name="Layla")
        self.merged = PersonFactory(
            name="Layla H.", email="layla.h@example.org", organization=self.org, user=self.account
        )
        self.rana, self.omar = PersonFactory(name="Rana"), PersonFactory(name="Omar")
        # Merged leads group 1 and is its second member; kept is not in it.
        self.g1 = working_group_create(
            plan=self.plan,
            name="Data",
            team_leader=self.merged,
            team_members=[self.rana, self.merged, self.omar],
        )
        # Both are members of group 2: kept first.
        self.g2 = working_group_create(
            plan=self.plan, name="Tools", team_members=[self.kept, self.rana, self.merged]
        )
        # Both are members of group 3: merged first, so kept moves up to that place.
        self.g3 = working_group_create(
            plan=self.plan2, name="Training", team_members=[self.merged, self.omar, self.kept]
        )
        challenge = ChallengeFactory(working_group=self.g1)
        # An action point both carry: kept as advisor, merged as lead.
        self.shared = action_point_create(
            challenge=challenge,
            description="Shared",
            focal_points=[
                FocalPointAssignment(self.kept, "advisor", "can advise"),
                FocalPointAssignment(self.merged, "lead", "tbc"),
            ],
        )
        # One only merged carries.
        self.own = action_point_create(
            challenge=challenge,
            description="Merged's own",
            focal_points=[
                FocalPointAssignment(self.rana, "lead"),
                FocalPointAssignment(self.merged, "support", "from March"),
            ],
        )
        self.update = progress_update_create(
            action_point=self.own,
            author=None,
            status="in_progress",
            progress=10,
            reported_by=self.merged,
        )
        self.extension = ExtensionRequest.objects.create(
            action_point=self.own,
            requested_by=self.account,
            new_deadline="2031",
            reason="Funding",
        )
        self.notification = Notification.objects.create(
            recipient="layla.h@example.org",
            person=self.merged,
            kind="assigned",
            plan=self.plan,
            action_point=self.own,
            key="assigned:test",
        )
        self.use = OneClickUse.objects.create(
            nonce="n1", person=self.merged, action_point=self.own, update=self.update
        )
        # Merged was named in plan 1 before kept; kept named in plan 2 before merged.
        early = timezone.now() - datetime.timedelta(days=300)
        Naming.objects.filter(person=self.merged, plan=self.plan).update(first_named=early)
        Naming.objects.filter(person=self.kept, plan=self.plan2).update(first_named=early)


def test_merge_moves_every_relation_once():
    s = Scene()
    notifications_before = Notification.objects.filter(person=s.merged).count()
    kept_notifications = Notification.objects.filter(person=s.kept).count()
    kept_naming_2 = Naming.objects.get(person=s.kept, plan=s.plan2).first_named
    merged_naming_1 = Naming.objects.get(person=s.merged, plan=s.plan).first_named
    versions = dict(ActionPoint.objects.values_list("pk", "version"))

    kept = person_merge(kept=s.kept, merged=s.merged, user=s.admin)

    assert kept.pk == s.kept.pk
    assert not Person.objects.filter(pk=s.merged.pk).exists()
    kept.refresh_from_db()
    # Email, organization and account came with merged: kept had none.
    assert (kept.name, kept.email, kept.organization, kept.user) == (
        "Layla",
        "layla.h@example.org",
        s.org,
        s.account,
    )
    # Focal points: one row on the shared point with the stronger role and both notes.
    assert focal_points(s.shared) == [("Layla", "lead", "can advise; tbc")]
    assert focal_points(s.own) == [("Layla", "support", "from March"), ("Rana", "lead", "")]
    assert FocalPoint.objects.filter(person=kept).count() == 2
    # Their action points read differently now: versions went up, once.
    assert ActionPoint.objects.get(pk=s.shared.pk).version == versions[s.shared.pk] + 1
    assert ActionPoint.objects.get(pk=s.own.pk).version == versions[s.own.pk] + 1
    # Groups: leadership, and memberships in a sensible order, nobody twice.
    s.g1.refresh_from_db()
    assert s.g1.team_leader == kept
    assert members(s.g1) == ["Rana", "Layla", "Omar"]
    assert members(s.g2) == ["Layla", "Rana"]
    assert members(s.g3) == ["Layla", "Omar"]
    # Authorship, extension requests (through the account), notifications, links.
    s.update.refresh_from_db()
    assert s.update.reported_by == kept
    s.extension.refresh_from_db()
    assert s.extension.requested_by == s.account == kept.user
    assert Notification.objects.filter(person=kept).count() == (
        kept_notifications + notifications_before
    )
    s.use.refresh_from_db()
    assert s.use.person == kept
    # Namings: each plan once, with the earlier date.
    assert sorted(Naming.objects.filter(person=kept).values_list("plan__title", flat=True)) == [
        "Lebanon 2019",
        "Lebanon 2020",
    ]
    assert Naming.objects.get(person=kept, plan=s.plan).first_named == merged_naming_1
    assert Naming.objects.get(person=kept, plan=s.plan2).first_named == kept_naming_2


def test_merge_is_recorded_in_history_as_the_user():
    s = Scene()
    reason = f"Merged person {s.merged.pk} (Layla H.) into {s.kept.pk}"
    merged_pk = s.merged.pk

    person_merge(kept=s.kept, merged=s.merged, user=s.coordinator)

    deleted = Person.history.get(id=merged_pk, history_type="-")
    assert (deleted.history_user, deleted.history_change_reason) == (s.coordinator, reason)
    saved = Person.history.filter(id=s.kept.pk).latest("history_id")
    assert (saved.history_type, saved.history_user, saved.email) == (
        "~",
        s.coordinator,
        "layla.h@example.org",
    )
    moved = FocalPoint.history.filter(action_point_id=s.own.pk, person_id=s.kept.pk).get()
    assert (moved.history_type, moved.role, moved.history_user) == ("~", "support", s.coordinator)
    assert moved.history_change_reason == reason
    dropped = FocalPoint.history.get(
        action_point_id=s.shared.pk, person_id=merged_pk, history_type="-"
    )
    assert dropped.history_user == s.coordinator
    combined = FocalPoint.history.filter(action_point_id=s.shared.pk, person_id=s.kept.pk).latest(
        "history_id"
    )
    assert (combined.history_type, combined.role, combined.history_user) == (
        "~",
        "lead",
        s.coordinator,
    )
    led = WorkingGroup.history.filter(id=s.g1.pk).latest("history_id")
    assert (led.team_leader_id, led.history_user) == (s.kept.pk, s.coordinator)
    # The membership snapshot of the group's last history row.
    assert sorted(led.team_members.values_list("person_id", flat=True)) == sorted(
        [s.rana.pk, s.kept.pk, s.omar.pk]
    )
    for group in (s.g2, s.g3):
        row = WorkingGroup.history.filter(id=group.pk).latest("history_id")
        assert (row.history_user, row.history_change_reason) == (s.coordinator, reason)
        assert merged_pk not in row.team_members.values_list("person_id", flat=True)
    update = ProgressUpdate.history.filter(id=s.update.pk).latest("history_id")
    assert (update.history_type, update.reported_by_id, update.history_user) == (
        "~",
        s.kept.pk,
        s.coordinator,
    )


def test_merge_plan_lists_what_would_move_and_writes_nothing():
    s = Scene()
    before = snapshot()

    plan = merge_plan(kept=s.kept, merged=s.merged)

    assert snapshot() == before
    assert [fp.action_point_id for fp in plan.focal_points] == [s.own.pk]
    assert [(c.kept.action_point_id, c.role, c.note) for c in plan.combined] == [
        (s.shared.pk, "lead", "can advise; tbc")
    ]
    assert [g.pk for g in plan.memberships] == [s.g1.pk, s.g2.pk, s.g3.pk]
    assert plan.joins == {s.g1.pk}
    assert [g.pk for g in plan.leaderships] == [s.g1.pk]
    assert [u.pk for u in plan.progress_updates] == [s.update.pk]
    assert set(plan.namings) == {s.plan.pk, s.plan2.pk}
    assert (plan.account, plan.email, plan.organization) == (
        s.account,
        "layla.h@example.org",
        s.org,
    )


def test_kept_keeps_its_own_email_organization_and_account():
    admin = UserFactory(is_superuser=True, is_staff=True)
    account = UserFactory()
    own_org, other_org = OrganizationFactory(), OrganizationFactory()
    kept = PersonFactory(name="Omar", email="omar@example.org", organization=own_org, user=account)
    merged = PersonFactory(name="OMAR", organization=other_org)

    person_merge(kept=kept, merged=merged, user=admin)

    kept.refresh_from_db()
    assert (kept.email, kept.organization, kept.user) == ("omar@example.org", own_org, account)


# --- refusals: a clear error, nothing written --------------------------------------------


def snapshot() -> dict:
    """Every row a merge could touch, and every history table's size."""
    return {
        "people": sorted(Person.objects.values_list("pk", "name", "email", "user_id")),
        "focal": sorted(FocalPoint.objects.values_list("pk", "person_id", "role", "note")),
        "members": sorted(Through.objects.values_list("pk", "workinggroup_id", "person_id")),
        "leaders": sorted(WorkingGroup.objects.values_list("pk", "team_leader_id")),
        "updates": sorted(ProgressUpdate.objects.values_list("pk", "reported_by_id")),
        "namings": sorted(Naming.objects.values_list("pk", "person_id", "first_named")),
        "notifications": sorted(Notification.objects.values_list("pk", "person_id")),
        "uses": sorted(OneClickUse.objects.values_list("pk", "person_id")),
        "versions": sorted(ActionPoint.objects.values_list("pk", "version")),
        "history": [
            model.history.count()
            for model in (Person, FocalPoint, WorkingGroup, ProgressUpdate, ActionPoint)
        ],
    }


def test_a_person_cannot_be_merged_with_themself():
    s = Scene()
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        person_merge(kept=s.merged, merged=Person.objects.get(pk=s.merged.pk), user=s.admin)
    assert error.value.code == "self"
    assert error.value.messages == ["Layla H. cannot be merged with themself."]
    assert snapshot() == before


def test_two_email_addresses_are_two_people():
    s = Scene()
    Person.objects.filter(pk=s.kept.pk).update(email="layla@unhcr.org")
    s.kept.refresh_from_db()
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        person_merge(kept=s.kept, merged=s.merged, user=s.admin)
    assert error.value.code == "different_emails"
    assert error.value.messages == [
        "Layla (layla@unhcr.org) and Layla H. (layla.h@example.org) have different email "
        "addresses: an address identifies one person, so they are two people and cannot be "
        "merged."
    ]
    assert snapshot() == before


def test_two_accounts_are_refused():
    s = Scene()
    Person.objects.filter(pk=s.kept.pk).update(user=UserFactory())
    s.kept.refresh_from_db()
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        person_merge(kept=s.kept, merged=s.merged, user=s.admin)
    assert error.value.code == "two_accounts"
    assert "both have an account" in error.value.messages[0]
    assert snapshot() == before


def test_the_refusal_reads_the_rows_as_they_are_now():
    """The caller's copies may be stale: the locked rows decide."""
    s = Scene()
    stale_kept = Person.objects.get(pk=s.kept.pk)
    Person.objects.filter(pk=s.kept.pk).update(user=UserFactory())
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        person_merge(kept=stale_kept, merged=s.merged, user=s.admin)
    assert error.value.code == "two_accounts"
    assert snapshot() == before


def test_a_failing_listener_rolls_the_whole_merge_back():
    s = Scene()
    before = snapshot()

    def fail(**kwargs):
        raise RuntimeError("listener failed")

    signals.person_merged.connect(fail, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError, match="listener failed"):
            person_merge(kept=s.kept, merged=s.merged, user=s.admin)
    finally:
        signals.person_merged.disconnect(dispatch_uid="test-fail")
    assert snapshot() == before


def test_a_row_left_pointing_at_the_merged_person_refuses_the_merge():
    """Without the notifications receiver, the merged person's notifications would be
    deleted with them: the merge stops instead, and nothing is written."""
    s = Scene()
    before = snapshot()
    signals.person_merged.disconnect(on_person_merged)
    try:
        with pytest.raises(RuntimeError, match="notifications.Notification.person"):
            person_merge(kept=s.kept, merged=s.merged, user=s.admin)
    finally:
        signals.person_merged.connect(on_person_merged)
    assert snapshot() == before


def test_every_relation_to_a_person_is_known_to_the_merge():
    """A new foreign key to Person must be moved by person_merge (or a receiver of
    person_merged) and added here; until then a merge of someone it points at stops."""
    relations = {
        (field.related_model._meta.label, field.field.name)
        for field in Person._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and not field.related_model._meta.label.split(".")[1].startswith("Historical")
    }
    assert relations == {
        ("actionplans.WorkingGroup", "team_leader"),
        ("actionplans.WorkingGroup", "team_members"),
        ("actionplans.WorkingGroup_team_members", "person"),
        ("actionplans.FocalPoint", "person"),
        ("actionplans.ProgressUpdate", "reported_by"),
        ("actionplans.Naming", "person"),
        ("actionplans.Comment", "mentions"),
        ("actionplans.Comment_mentions", "person"),
        ("notifications.Notification", "person"),
        ("notifications.OneClickUse", "person"),
    }


@pytest.mark.parametrize(
    ("a", "b", "stronger"),
    [
        ("lead", "support", "lead"),
        ("support", "lead", "lead"),
        ("advisor", "lead", "lead"),
        ("advisor", "support", "support"),
        ("support", "advisor", "support"),
        ("advisor", "advisor", "advisor"),
    ],
)
def test_the_stronger_role_stays(a, b, stronger):
    assert stronger_role(a, b) == stronger


def test_notes_are_joined_once_and_fit_the_field():
    assert joined_notes("tbc", "tbc") == "tbc"
    assert joined_notes("", "from March") == "from March"
    assert joined_notes("a" * 150, "b" * 100) == "a" * 150 + "; " + "b" * 47 + "…"
    assert len(joined_notes("a" * 150, "b" * 100)) == 200


def test_no_focal_point_named_event_for_a_merge():
    """The merged person already carried these action points: nobody is told they
    were named."""
    s = Scene()
    sent = []

    def listen(**kwargs):
        sent.append(kwargs)

    signals.focal_point_named.connect(listen, dispatch_uid="test-named")
    try:
        person_merge(kept=s.kept, merged=s.merged, user=s.admin)
    finally:
        signals.focal_point_named.disconnect(dispatch_uid="test-named")
    assert sent == []


# --- who may merge ------------------------------------------------------------------------


def test_coordinators_merge_two_people_of_their_plan():
    s = Scene()
    person_merge(kept=s.kept, merged=s.merged, user=s.coordinator)
    assert not Person.objects.filter(pk=s.merged.pk).exists()


def test_a_coordinator_cannot_merge_a_person_of_a_plan_they_cannot_edit():
    s = Scene()
    elsewhere = ActionPlanFactory(title="Iraq")
    stranger = PersonFactory(name="Layla")
    working_group_create(plan=elsewhere, name="Iraq group", team_members=[stranger])
    before = snapshot()
    for kept, merged in ((s.kept, stranger), (stranger, s.kept)):
        with pytest.raises(PermissionDenied):
            person_merge(kept=kept, merged=merged, user=s.coordinator)
    assert snapshot() == before


def test_administrators_merge_anyone():
    s = Scene()
    elsewhere = ActionPlanFactory(title="Iraq")
    stranger = PersonFactory(name="Layla")
    working_group_create(plan=elsewhere, name="Iraq group", team_members=[stranger])
    person_merge(kept=s.kept, merged=stranger, user=s.admin)
    assert not Person.objects.filter(pk=stranger.pk).exists()
    assert Naming.objects.filter(person=s.kept, plan=elsewhere).exists()


@pytest.mark.parametrize("who", ["member", "outsider", "inactive coordinator"])
def test_others_cannot_merge(who):
    s = Scene()
    user = {
        "member": s.account,
        "outsider": UserFactory(),
        "inactive coordinator": s.coordinator,
    }[who]
    if who == "inactive coordinator":
        user.is_active = False
        user.save()
    before = snapshot()
    with pytest.raises(PermissionDenied):
        person_merge(kept=s.kept, merged=s.merged, user=user)
    assert snapshot() == before


def test_kept_is_saved_once_with_what_it_gained():
    """The merge writes person rows through the model (history), not around it:
    a post_save listener sees kept saved once, with the moved fields."""
    s = Scene()
    saved = []

    def listen(sender, instance, update_fields, **kwargs):
        saved.append((instance.pk, sorted(update_fields or [])))

    post_save.connect(listen, sender=Person, dispatch_uid="test-person-saved")
    try:
        person_merge(kept=s.kept, merged=s.merged, user=s.admin)
    finally:
        post_save.disconnect(dispatch_uid="test-person-saved", sender=Person)
    assert saved == [(s.kept.pk, ["email", "organization", "updated", "user"])]
