"""Realistic, deterministic synthetic data for benchmarks and load tests.

Bulk inserts, so that 100,000 action points are written in minutes. History
rows are deliberately NOT written for this data: it is generated, not edited
by anyone, and the history tables would only double the volume (the "as of"
dashboard then sees the plans from the moment they were generated onward,
which is all there is to see).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from actionplans.choices import ActionPointStatus, FocalPointRole, PlanStatus, PlanVisibility
from actionplans.models import (
    ActionPlan,
    ActionPoint,
    Challenge,
    DeadlineChange,
    FocalPoint,
    ProgressUpdate,
    WorkingGroup,
)
from actionplans.parsing import parse_deadline
from orgs.choices import OrganizationKind
from orgs.matching import match_key
from orgs.models import Organization, Person

BATCH = 5000
COUNTRIES = [
    "Lebanon", "Jordan", "Iraq", "Syria", "Türkiye", "Yemen", "Sudan", "South Sudan",
    "Somalia", "Ethiopia", "Ukraine", "Colombia", "Afghanistan", "Myanmar", "Nigeria",
    "Democratic Republic of the Congo", "Mali", "Bangladesh",
]  # fmt: skip
GROUP_NAMES = [
    "Data Sharing", "Protection Monitoring", "Needs Assessment", "Case Management",
    "Population Data", "Communicating with Communities", "Response Monitoring",
    "Security and Situational Awareness",
]  # fmt: skip
CHALLENGES = [
    "Lack of common, user-friendly and secure data-sharing tools",
    "Informed consent about sharing and different types of sharing and recipients",
    "Trust between actors (data quality, methodology, data protection)",
    "Lack of knowledge about where and how to access information and data",
    "Duplicate assessments of the same population",
    "No agreed definitions for protection indicators",
]
ACTIONS = [
    "IMWG to recommend standardized tools and procedures",
    "Build consent form drafts and guidelines",
    "Disseminate the quality assurance package methodology",
    "Raise awareness on national studies in sector working groups",
    "Map existing information systems",
    "Agree on a data-sharing protocol",
    "Train partners on the protection monitoring tool",
    "Publish the assessment registry",
]
FIRST_NAMES = [
    "Jad", "Rana", "Omar", "Maria", "Fred", "Fanette", "Layla", "Karim", "Nour", "Sami",
    "Amina", "Yusuf", "Hana", "Elias", "Mona", "Tarek", "Zeina", "Ali", "Sara", "Rami",
]  # fmt: skip
ORGANIZATIONS = [
    ("UNHCR", OrganizationKind.UN_AGENCY), ("UNICEF", OrganizationKind.UN_AGENCY),
    ("OCHA", OrganizationKind.UN_AGENCY), ("IOM", OrganizationKind.UN_AGENCY),
    ("WFP", OrganizationKind.UN_AGENCY), ("DRC", OrganizationKind.INGO),
    ("NRC", OrganizationKind.INGO), ("IRC", OrganizationKind.INGO),
    ("REACH", OrganizationKind.INGO), ("MSF", OrganizationKind.INGO),
    ("ACAPS", OrganizationKind.INGO), ("Amel", OrganizationKind.NNGO),
    ("Caritas", OrganizationKind.NNGO), ("MoSA", OrganizationKind.GOVERNMENT),
    ("Protection Cluster", OrganizationKind.CLUSTER), ("AUB", OrganizationKind.ACADEMIC),
    ("ECHO", OrganizationKind.DONOR),
]  # fmt: skip


def _deadline_texts(rng: random.Random, year: int) -> str:
    """A deadline as people write it, of any precision."""
    month = rng.randint(1, 12)
    quarter = rng.randint(1, 4)
    forms = [
        f"{year}-{month:02d}-{rng.randint(1, 28):02d}",
        f"{rng.randint(1, 28)}/{month:02d}/{year}",
        datetime.date(year, month, 1).strftime("%B %Y"),
        datetime.date(year, month, 1).strftime("%b-%y"),
        f"Q{quarter} {year}",
        f"Q{quarter} of {year}",
        f"H{rng.randint(1, 2)} {year}",
        f"mid-{year}",
        f"{year}",
        f"end of {year}",
        f"Q1-Q{rng.randint(2, 4)} {year}",
        "ongoing",
        "TBD",
    ]
    return rng.choice(forms)


@dataclass
class GeneratedCounts:
    organizations: int = 0
    people: int = 0
    plans: int = 0
    groups: int = 0
    challenges: int = 0
    action_points: int = 0
    focal_points: int = 0
    progress_updates: int = 0
    deadline_changes: int = 0


class _Generator:
    """The steps of one generation, in the order they draw from the random source
    (the same seed, the same data)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tag = f"s{seed}"
        self.now = timezone.now()
        self.counts = GeneratedCounts()
        self._parsed: dict[str, tuple[str, datetime.date | None]] = {}

    def parse(self, text: str) -> tuple[str, datetime.date | None]:
        if text not in self._parsed:
            result = parse_deadline(text)
            self._parsed[text] = (result.precision, result.due_date)
        return self._parsed[text]

    def organizations(self) -> list[Organization]:
        found = []
        for name, kind in ORGANIZATIONS:
            organization, created = Organization.objects.get_or_create(
                name=name, defaults={"acronym": name if name.isupper() else "", "kind": kind}
            )
            found.append(organization)
            self.counts.organizations += created
        return found

    def people(self, organizations: list[Organization], count: int) -> list[Person]:
        rng = self.rng
        people = Person.objects.bulk_create(
            [
                Person(
                    name=name,
                    match_key=match_key(name),
                    organization=rng.choice(organizations) if rng.random() < 0.85 else None,
                )
                for index in range(count)
                for name in [f"{rng.choice(FIRST_NAMES)} {self.tag}-{index}"]
            ],
            batch_size=BATCH,
        )
        self.counts.people = len(people)
        return people

    def plans(self, count: int) -> list[ActionPlan]:
        rng = self.rng
        plans = ActionPlan.objects.bulk_create(
            [
                ActionPlan(
                    title=f"PIM {rng.choice(COUNTRIES)} Action Plan {self.tag}-{index + 1}",
                    country=rng.choice(COUNTRIES),
                    origin=f"PIM training, {rng.randint(2017, 2024)}",
                    status=rng.choice(
                        [PlanStatus.ACTIVE] * 8 + [PlanStatus.DRAFT, PlanStatus.CLOSED]
                    ),
                    visibility=rng.choice([PlanVisibility.SIGNED_IN, PlanVisibility.MEMBERS]),
                )
                for index in range(count)
            ],
            batch_size=BATCH,
        )
        self.counts.plans = len(plans)
        return plans

    def sizes(self, plans: list[ActionPlan], action_points: int) -> list[int]:
        """Action points per plan: some plans are much larger."""
        weights = [self.rng.uniform(0.2, 3.0) for _ in plans]
        total = sum(weights)
        per_plan = [max(1, int(action_points * w / total)) for w in weights]
        per_plan[0] += action_points - sum(per_plan)
        return per_plan

    def teams(self, plans, sizes, people) -> dict[int, list[Person]]:
        """Each plan draws its people from its own team (an operation's coordination
        network: a few dozen people, a few of them in other plans too), as in life."""
        return {
            plan.pk: self.rng.sample(people, k=min(len(people), max(12, min(60, size // 8))))
            for plan, size in zip(plans, sizes, strict=True)
        }

    def groups(self, plans, sizes, teams) -> list[WorkingGroup]:
        rng = self.rng
        groups = []
        for plan, size in zip(plans, sizes, strict=True):
            for number in range(1, max(1, min(8, size // 40 + 1)) + 1):
                groups.append(
                    WorkingGroup(
                        plan=plan,
                        number=number,
                        name=GROUP_NAMES[(number - 1) % len(GROUP_NAMES)],
                        team_leader=rng.choice(teams[plan.pk]),
                    )
                )
        groups = WorkingGroup.objects.bulk_create(groups, batch_size=BATCH)
        self.counts.groups = len(groups)
        through = WorkingGroup.team_members.through
        memberships = []
        for group in groups:
            team = teams[group.plan_id]
            for person in rng.sample(team, k=min(len(team), rng.randint(3, 7))):
                memberships.append(through(workinggroup_id=group.pk, person_id=person.pk))
        through.objects.bulk_create(memberships, batch_size=BATCH)
        return groups

    def challenges(self, plans, sizes, groups) -> dict[int, list[Challenge]]:
        """The challenges of each plan, by plan id."""
        groups_by_plan: dict[int, list[WorkingGroup]] = {}
        for group in groups:
            groups_by_plan.setdefault(group.plan_id, []).append(group)
        challenges = []
        for plan, size in zip(plans, sizes, strict=True):
            plan_groups = groups_by_plan[plan.pk]
            for index in range(max(len(plan_groups), size // 6)):
                challenges.append(
                    Challenge(
                        working_group=plan_groups[index % len(plan_groups)],
                        number=index // len(plan_groups) + 1,
                        description=self.rng.choice(CHALLENGES),
                    )
                )
        challenges = Challenge.objects.bulk_create(challenges, batch_size=BATCH)
        self.counts.challenges = len(challenges)
        plan_of_group = {group.pk: group.plan_id for group in groups}
        by_plan: dict[int, list[Challenge]] = {}
        for challenge in challenges:
            by_plan.setdefault(plan_of_group[challenge.working_group_id], []).append(challenge)
        return by_plan

    def action_points(self, plans, sizes, challenges, teams) -> list[tuple]:
        """The action points, each with the team of its plan."""
        rng = self.rng
        points, point_teams, positions = [], [], {}
        for plan, size in zip(plans, sizes, strict=True):
            plan_challenges = challenges[plan.pk]
            for index in range(size):
                challenge = plan_challenges[index % len(plan_challenges)]
                positions[challenge.pk] = positions.get(challenge.pk, 0) + 1
                text = _deadline_texts(rng, rng.randint(2019, 2031))
                precision, due = self.parse(text)
                status = rng.choices(ActionPointStatus.values, weights=[30, 30, 8, 27, 5], k=1)[0]
                completed = status == ActionPointStatus.COMPLETED
                progress = 100 if completed else rng.randrange(0, 100, 10)
                points.append(
                    ActionPoint(
                        challenge=challenge,
                        position=positions[challenge.pk],
                        description=f"{rng.choice(ACTIONS)} ({self.tag}-{len(points) + 1})",
                        deadline=text,
                        due_date=due,
                        deadline_precision=precision,
                        status=status,
                        progress=progress,
                    )
                )
                point_teams.append(teams[plan.pk])
        points = ActionPoint.objects.bulk_create(points, batch_size=BATCH)
        self.counts.action_points = len(points)
        # Spread "last changed" over the past two years, so stale points exist.
        ActionPoint.objects.filter(pk__in=[p.pk for p in points[::7]]).update(
            updated=self.now - datetime.timedelta(days=200)
        )
        return list(zip(points, point_teams, strict=True))

    def around_points(self, points_with_teams: list[tuple]) -> None:
        """Focal points, progress updates and deadline changes of the action points."""
        focal_points, updates, changes = [], [], []
        for point, team in points_with_teams:
            focal_points.extend(self._focal_points(point, team))
            if point.status != ActionPointStatus.NOT_STARTED:
                updates.append(self._update(point))
            if point.due_date and self.rng.random() < 0.2:
                change = self._change(point)
                if change is not None:
                    changes.append(change)
        self.counts.focal_points = len(
            FocalPoint.objects.bulk_create(focal_points, batch_size=BATCH)
        )
        self.counts.progress_updates = len(
            ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
        )
        self.counts.deadline_changes = len(
            DeadlineChange.objects.bulk_create(changes, batch_size=BATCH)
        )

    def _focal_points(self, point: ActionPoint, team: list[Person]) -> list[FocalPoint]:
        roles = [FocalPointRole.LEAD, FocalPointRole.SUPPORT, FocalPointRole.ADVISOR]
        people = self.rng.sample(team, k=self.rng.randint(1, 3))
        return [
            FocalPoint(action_point=point, person=person, role=role)
            for role, person in zip(roles, people, strict=False)
        ]

    def _update(self, point: ActionPoint) -> ProgressUpdate:
        return ProgressUpdate(
            action_point=point,
            created=self.now - datetime.timedelta(days=self.rng.randint(1, 700)),
            previous_status=ActionPointStatus.NOT_STARTED,
            previous_progress=0,
            status=point.status,
            progress=point.progress,
            note="Update from the working group meeting.",
        )

    def _change(self, point: ActionPoint) -> DeadlineChange | None:
        old_text = _deadline_texts(self.rng, point.due_date.year - 1)
        _old_precision, old_due = self.parse(old_text)
        if old_text == point.deadline:
            return None
        return DeadlineChange(
            action_point=point,
            old_deadline=old_text,
            old_due_date=old_due,
            new_deadline=point.deadline,
            new_due_date=point.due_date,
            changed_at=self.now - datetime.timedelta(days=self.rng.randint(1, 700)),
            reason="Waiting for funding.",
        )


@transaction.atomic
def generate(*, plans: int, action_points: int, seed: int = 1) -> GeneratedCounts:
    """Create `plans` plans holding `action_points` action points in all, and
    everything around them. The same seed gives the same data."""
    steps = _Generator(seed)
    organizations = steps.organizations()
    people = steps.people(organizations, max(30, action_points // 25))
    plan_rows = steps.plans(plans)
    sizes = steps.sizes(plan_rows, action_points)
    teams = steps.teams(plan_rows, sizes, people)
    groups = steps.groups(plan_rows, sizes, teams)
    challenges = steps.challenges(plan_rows, sizes, groups)
    points = steps.action_points(plan_rows, sizes, challenges, teams)
    steps.around_points(points)
    return steps.counts


@transaction.atomic
def replicate_action_points(*, copies: int) -> int:
    """Add `copies` copies of every action point, written by the database itself
    (INSERT ... SELECT): 100,000 rows in seconds, where generate() takes a minute or
    more, for tests and benchmarks that need many rows more than varied ones.

    A copy keeps its original's challenge, texts, status and `updated`, so the
    copies of a point changed at the same instant (as after a bulk edit) and the
    sync's tie-break on id is exercised; it is placed after the challenge's last
    position. No focal points, updates or history rows are copied. Returns the
    number of rows added.
    """
    table = connection.ops.quote_name(ActionPoint._meta.db_table)
    columns = [f.column for f in ActionPoint._meta.concrete_fields if not f.primary_key]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    position = connection.ops.quote_name(ActionPoint._meta.get_field("position").column)
    values = ", ".join(
        f"{position} + %s" if c == "position" else connection.ops.quote_name(c) for c in columns
    )
    bounds = ActionPoint.objects.aggregate(first=Min("pk"), last=Max("pk"), step=Max("position"))
    if bounds["first"] is None:
        return 0
    pk = connection.ops.quote_name(ActionPoint._meta.pk.column)
    added = 0
    with connection.cursor() as cursor:
        # Copy k of a point at position p sits at p + k * (the highest position):
        # never where another row of its challenge is.
        for copy in range(1, copies + 1):
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} "
                f"WHERE {pk} BETWEEN %s AND %s",
                [copy * bounds["step"], bounds["first"], bounds["last"]],
            )
            added += cursor.rowcount
    return added
