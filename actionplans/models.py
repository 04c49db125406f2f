"""Action plans as a workshop writes them: groups, challenges, action points.

Rules that must always hold live here as database constraints; the services
in services/ are the only place that changes these records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actionplans.choices import (
    ActionPointStatus,
    DeadlinePrecision,
    FocalPointRole,
    PimCategory,
    PimPrinciple,
    PimProcessStep,
    PimTagKind,
    PlanStatus,
    PlanVisibility,
    Priority,
    SavedViewPage,
)
from actionplans.querysets import (
    WORKSHOP_ORDER,
    ActionPlanQuerySet,
    ActionPointQuerySet,
    HistoricalActionPointQuerySet,
)
from orgs.models import Person


def _progress_range(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(progress__gte=0, progress__lte=100),
        name=f"{prefix}_progress_0_100",
        violation_error_message=_("Progress must be between 0 and 100."),
    )


def _completed_is_100(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(status=ActionPointStatus.COMPLETED) | Q(progress=100),
        name=f"{prefix}_completed_progress_100",
        violation_error_message=_("A completed action point has progress 100."),
    )


def _status_valid(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(status__in=ActionPointStatus.values),
        name=f"{prefix}_status_valid",
        violation_error_message=_("Unknown status."),
    )


class ActionPlan(models.Model):
    """The action plan one PIM workshop produced for one operation."""

    title = models.CharField(_("title"), max_length=200)
    country = models.CharField(_("country"), max_length=100, blank=True)
    origin = models.CharField(
        _("origin"),
        max_length=300,
        blank=True,
        help_text=_('The event the plan came from, e.g. "PIM training, Beirut, 10-13 Dec 2018".'),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=PlanVisibility.choices,
        default=PlanVisibility.MEMBERS,
        help_text=_("Members only: coordinators and the people named in the plan."),
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        blank=True,
        related_name="coordinated_plans",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActionPlanQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[coordinators])

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="actionplans_plan_title_not_blank",
                violation_error_message=_("A plan needs a title."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values),
                name="actionplans_plan_status_valid",
                violation_error_message=_("Unknown plan status."),
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=PlanVisibility.values),
                name="actionplans_plan_visibility_valid",
                violation_error_message=_("Unknown visibility."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actionplans:plan_detail", args=[self.pk])

    @property
    def accepts_changes(self) -> bool:
        """A closed plan is read-only until it is reopened (the services refuse changes)."""
        return self.status != PlanStatus.CLOSED


class WorkingGroup(models.Model):
    """A numbered group inside a plan ("Group 1: Data Sharing")."""

    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="working_groups"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    team_leader = models.ForeignKey(
        Person,
        verbose_name=_("team leader"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_groups",
    )
    team_members = models.ManyToManyField(
        Person, verbose_name=_("team members"), blank=True, related_name="working_groups"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[team_members])

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="actionplans_group_number_unique",
                violation_error_message=_("This plan already has a group with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="actionplans_group_number_positive",
                violation_error_message=_("Group numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="actionplans_group_name_not_blank",
                violation_error_message=_("A working group needs a name."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Group %(number)s: %(name)s") % {"number": self.number, "name": self.name}


class Challenge(models.Model):
    """A numbered problem statement under a working group."""

    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        related_name="challenges",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    description = models.TextField(_("description"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["working_group", "number"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "number"],
                name="actionplans_challenge_number_unique",
                violation_error_message=_("This group already has a challenge with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="actionplans_challenge_number_positive",
                violation_error_message=_("Challenge numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="actionplans_challenge_description_not_blank",
                violation_error_message=_("A challenge needs a description."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description}"


class ActionPoint(models.Model):
    """What will be done about a challenge, by when and by whom.

    `deadline` keeps the words as written ("Q1 of 2019"); `due_date` and
    `deadline_precision` are derived from them by parsing.parse_deadline.
    `version` goes up on every change so that two people editing at once
    cannot silently overwrite each other.
    """

    challenge = models.ForeignKey(
        Challenge,
        verbose_name=_("challenge"),
        on_delete=models.CASCADE,
        related_name="action_points",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.TextField(_("description"))
    deadline = models.CharField(_("deadline"), max_length=100, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    deadline_precision = models.CharField(
        _("deadline precision"),
        max_length=10,
        choices=DeadlinePrecision.choices,
        default=DeadlinePrecision.NONE,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ActionPointStatus.choices,
        default=ActionPointStatus.NOT_STARTED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    # The PIM process step it advances; its PIM categories and principles are
    # PimTag rows (several of each).
    pim_process_step = models.CharField(
        _("PIM process step"), max_length=32, choices=PimProcessStep.choices, blank=True
    )
    # Who marked it completed and when (the progress update that did it holds what
    # was done); then a coordinator other than that person verifies it.
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActionPointQuerySet.as_manager()
    history = HistoricalRecords(historical_queryset=HistoricalActionPointQuerySet)

    class Meta:
        ordering = list(WORKSHOP_ORDER)
        verbose_name = _("action point")
        verbose_name_plural = _("action points")
        indexes = [
            # With the challenge, counting overdue points of the visible plans (an
            # API list's count) reads this index only, not the table.
            models.Index(
                fields=["status", "due_date", "challenge"], name="actionplans_ap_stat_due_ch_idx"
            ),
            models.Index(fields=["due_date"], name="actionplans_ap_due_idx"),
            # A partner's sync (?updated_after=) walks this index page by page.
            models.Index(fields=["updated", "id"], name="actionplans_ap_sync_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "position"],
                name="actionplans_ap_position_unique",
                violation_error_message=_("This challenge already has an action point here."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="actionplans_ap_position_positive",
                violation_error_message=_("Positions start at 1."),
            ),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="actionplans_ap_description_not_blank",
                violation_error_message=_("An action point needs a description."),
            ),
            _progress_range("actionplans_ap"),
            _completed_is_100("actionplans_ap"),
            _status_valid("actionplans_ap"),
            models.CheckConstraint(
                condition=Q(deadline_precision__in=DeadlinePrecision.values),
                name="actionplans_ap_precision_valid",
                violation_error_message=_("Unknown deadline precision."),
            ),
            # A due date exists exactly when the deadline has a precision.
            models.CheckConstraint(
                condition=(Q(deadline_precision=DeadlinePrecision.NONE) & Q(due_date__isnull=True))
                | (~Q(deadline_precision=DeadlinePrecision.NONE) & Q(due_date__isnull=False)),
                name="actionplans_ap_due_date_matches_precision",
                violation_error_message=_("A due date needs a precision, and a precision a date."),
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values),
                name="actionplans_ap_priority_valid",
                violation_error_message=_("Unknown priority."),
            ),
            models.CheckConstraint(
                condition=Q(pim_process_step="") | Q(pim_process_step__in=PimProcessStep.values),
                name="actionplans_ap_pim_step_valid",
                violation_error_message=_("Unknown PIM process step."),
            ),
            # Only a completed point is verified, and never by whoever completed it.
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(status=ActionPointStatus.COMPLETED),
                name="actionplans_ap_verified_is_completed",
                violation_error_message=_("Only a completed action point can be verified."),
            ),
            models.CheckConstraint(
                condition=~Q(verified_by=models.F("completed_by")),
                name="actionplans_ap_verifier_not_completer",
                violation_error_message=_(
                    "Someone other than the person who completed it must verify it."
                ),
            ),
        ]

    def __str__(self) -> str:
        text = self.description if len(self.description) <= 80 else self.description[:77] + "..."
        return text

    def get_absolute_url(self) -> str:
        return reverse("actionplans:actionpoint_detail", args=[self.pk])

    @property
    def pim_tag_list(self) -> list[PimTag]:
        """Its PIM categories and principles: the list with_pim_tags() prefetched,
        else one query."""
        if "prefetched_pim_tags" in self.__dict__:
            return self.__dict__["prefetched_pim_tags"]
        return list(self.pim_tags.all())

    @property
    def pim_categories(self) -> list[str]:
        """Slugs of its PIM Matrix categories, in the matrix's order."""
        return _in_order(PimCategory, self.pim_tag_list, PimTagKind.CATEGORY)

    @property
    def pim_principles(self) -> list[str]:
        """Slugs of its PIM principles, in the framework's order."""
        return _in_order(PimPrinciple, self.pim_tag_list, PimTagKind.PRINCIPLE)

    @property
    def focal_point_list(self) -> list[FocalPoint]:
        """Its focal points, lead first: the list that with_focal_points() prefetched,
        else one query."""
        if "prefetched_focal_points" in self.__dict__:
            return self.__dict__["prefetched_focal_points"]
        return list(self.focal_points.select_related("person__organization"))


# Lead first, then support, then advisor, as a plan names them.
ROLE_ORDER = models.Case(
    models.When(role=FocalPointRole.LEAD, then=0),
    models.When(role=FocalPointRole.SUPPORT, then=1),
    default=2,
)


class FocalPoint(models.Model):
    """A person answerable for an action point, as lead, support or advisor."""

    action_point = models.ForeignKey(
        ActionPoint,
        verbose_name=_("action point"),
        on_delete=models.CASCADE,
        related_name="focal_points",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="focal_points"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=FocalPointRole.choices, default=FocalPointRole.LEAD
    )
    # What the plan said about this person that fits no role, e.g. "(tbc)":
    # kept so that nothing written in the workshop is lost.
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        # Lead first, then support, then advisor, as a plan names them.
        # action_point_id, not action_point: the latter would sort by the action
        # point's own ordering, joining the plan's structure into every query.
        ordering = ["action_point_id", ROLE_ORDER, "id"]
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        constraints = [
            models.UniqueConstraint(
                fields=["action_point", "person"],
                name="actionplans_focal_point_person_unique",
                violation_error_message=_("This person is already a focal point here."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=FocalPointRole.values),
                name="actionplans_focal_point_role_valid",
                violation_error_message=_("Unknown role."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_role_display().lower()})"


class ProgressUpdate(models.Model):
    """One report on an action point: its status and progress afterwards, and why."""

    action_point = models.ForeignKey(
        ActionPoint,
        verbose_name=_("action point"),
        on_delete=models.CASCADE,
        related_name="progress_updates",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    # Who reported it when that is a person of the plan rather than an account:
    # an update made from a one-click link in a reminder email.
    reported_by = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    previous_status = models.CharField(
        _("status before"), max_length=12, choices=ActionPointStatus.choices
    )
    previous_progress = models.PositiveSmallIntegerField(_("progress before (%)"))
    status = models.CharField(_("status"), max_length=12, choices=ActionPointStatus.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "-id"]
        get_latest_by = "created"
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [
            # An action point's latest updates (querysets.last_update_values, read for
            # every row of an export) without sorting its updates.
            models.Index(
                fields=["action_point", "-created", "-id"], name="actionplans_update_latest_idx"
            ),
        ]
        constraints = [
            _progress_range("actionplans_update"),
            _completed_is_100("actionplans_update"),
            _status_valid("actionplans_update"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}, {self.progress}% ({self.created:%Y-%m-%d})"


class DeadlineChange(models.Model):
    """A deadline moved: old and new words and dates, who, when and why."""

    action_point = models.ForeignKey(
        ActionPoint,
        verbose_name=_("action point"),
        on_delete=models.CASCADE,
        related_name="deadline_changes",
    )
    old_deadline = models.CharField(_("old deadline"), max_length=100, blank=True)
    old_due_date = models.DateField(_("old due date"), null=True, blank=True)
    new_deadline = models.CharField(_("new deadline"), max_length=100, blank=True)
    new_due_date = models.DateField(_("new due date"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadline_changes",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-changed_at", "-id"]
        get_latest_by = "changed_at"
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="actionplans_deadline_change_reason_not_blank",
                violation_error_message=_("Say why the deadline moved."),
            ),
            models.CheckConstraint(
                condition=~Q(old_deadline=models.F("new_deadline")),
                name="actionplans_deadline_change_changes_something",
                violation_error_message=_("The new deadline is the same as the old one."),
            ),
        ]

    def __str__(self) -> str:
        old = self.old_deadline or "no deadline"
        new = self.new_deadline or "no deadline"
        return f"{old} → {new}"

    @property
    def days_moved(self) -> int | None:
        """Slippage in days; None when either side has no date."""
        if self.old_due_date is None or self.new_due_date is None:
            return None
        return (self.new_due_date - self.old_due_date).days


class Naming(models.Model):
    """A person has been named in a plan (leader, member or focal point), now or
    before: the record that keeps a person removed from a plan out of sight of
    those who cannot see that plan (actionplans/permissions.py). Written by the
    services that name people (actionplans/services/people.py), never removed but
    with the plan."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="namings"
    )
    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="namings"
    )
    first_named = models.DateTimeField(_("first named"), default=timezone.now)

    class Meta:
        verbose_name = _("naming")
        verbose_name_plural = _("namings")
        constraints = [
            models.UniqueConstraint("person", "plan", name="actionplans_naming_unique"),
        ]

    def __str__(self) -> str:
        return f"person {self.person_id} in plan {self.plan_id}"


class ExtensionRequest(models.Model):
    """A member asks for more time on an action point; a coordinator decides.

    Approval moves the deadline through the reschedule service, which records
    a DeadlineChange; both the request and the decision notify the other side.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    action_point = models.ForeignKey(
        ActionPoint,
        verbose_name=_("action point"),
        on_delete=models.CASCADE,
        related_name="extension_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="extension_requests",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    current_deadline = models.CharField(_("deadline when asked"), max_length=100, blank=True)
    new_deadline = models.CharField(_("proposed deadline"), max_length=100)
    new_due_date = models.DateField(_("proposed due date"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="extension_decisions",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    deadline_change = models.OneToOneField(
        DeadlineChange,
        verbose_name=_("deadline change"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="extension_request",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("deadline extension request")
        verbose_name_plural = _("deadline extension requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="actionplans_extension_reason_not_blank",
                violation_error_message=_("Say why more time is needed."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "declined"]),
                name="actionplans_extension_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            # One open request per action point: a second would race the first.
            models.UniqueConstraint(
                "action_point",
                condition=Q(status="pending"),
                name="actionplans_extension_one_pending",
                violation_error_message=_("A request for this action point is already waiting."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.current_deadline or 'no deadline'} → {self.new_deadline}"


class CalendarFeed(models.Model):
    """A secret address at which a calendar application reads deadlines.

    Calendar applications subscribe without a session, so the key in the
    address is the credential: it reads the deadlines its owner may see and
    nothing else, and revoking it cuts every subscription made with it. The
    key is kept (unlike API tokens) so the page can show the addresses again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    key = models.CharField(_("key"), max_length=64, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used", "key"])

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=Q(key__regex=r"^[A-Za-z0-9_-]{32,64}$"),
                name="actionplans_calendarfeed_key_format",
                violation_error_message=_("A feed key is 32 to 64 URL-safe characters."),
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed {self.key[:6]}… of {self.user}"


class PimTag(models.Model):
    """One PIM Matrix category or PIM principle an action point advances."""

    action_point = models.ForeignKey(
        ActionPoint,
        verbose_name=_("action point"),
        on_delete=models.CASCADE,
        related_name="pim_tags",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PimTagKind.choices)
    slug = models.CharField(_("tag"), max_length=48)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action_point", "kind", "slug"]
        verbose_name = _("PIM tag")
        verbose_name_plural = _("PIM tags")
        indexes = [
            # ?pim_category= / ?pim_principle=: the points with a tag.
            models.Index(
                fields=["kind", "slug", "action_point"], name="actionplans_pimtag_slug_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["action_point", "kind", "slug"],
                name="actionplans_pimtag_unique",
                violation_error_message=_("This action point already has this tag."),
            ),
            models.CheckConstraint(
                condition=(Q(kind=PimTagKind.CATEGORY) & Q(slug__in=PimCategory.values))
                | (Q(kind=PimTagKind.PRINCIPLE) & Q(slug__in=PimPrinciple.values)),
                name="actionplans_pimtag_known_slug",
                violation_error_message=_("Unknown PIM category or principle."),
            ),
        ]

    def __str__(self) -> str:
        labels = PimCategory if self.kind == PimTagKind.CATEGORY else PimPrinciple
        return str(dict(labels.choices).get(self.slug, self.slug))


class Comment(models.Model):
    """A comment on an action point. Edits and deletions are kept in its history;
    a deleted comment stays as a marker ("deleted by …")."""

    action_point = models.ForeignKey(
        ActionPoint,
        verbose_name=_("action point"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    # The people it mentions (@name); those with an account are notified.
    mentions = models.ManyToManyField(
        "orgs.Person", verbose_name=_("mentions"), blank=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    edited = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[mentions])

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(
                fields=["action_point", "created", "id"], name="actionplans_comment_ap_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""),
                name="actionplans_comment_not_blank",
                violation_error_message=_("A comment needs some text."),
            ),
        ]

    def __str__(self) -> str:
        return self.body if len(self.body) <= 60 else self.body[:57] + "..."


class Watch(models.Model):
    """A user follows an action point: its updates, reschedules and comments."""

    action_point = models.ForeignKey(
        ActionPoint,
        verbose_name=_("action point"),
        on_delete=models.CASCADE,
        related_name="watches",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="watches",
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "action_point"],
                name="actionplans_watch_unique",
                violation_error_message=_("You already watch this action point."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} watches {self.action_point_id}"


class SavedView(models.Model):
    """A named set of filters of the plan page or of "my action points", kept as the
    page's query string; a plan page's view can be shared with the plan's members."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    name = models.CharField(_("name"), max_length=80)
    page = models.CharField(_("page"), max_length=8, choices=SavedViewPage.choices)
    plan = models.ForeignKey(
        ActionPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
    )
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    shared = models.BooleanField(_("shared with the plan's members"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = [Lower("name"), "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(
                "owner",
                "plan",
                Lower("name"),
                name="actionplans_savedview_plan_name_unique",
                condition=Q(plan__isnull=False),
                violation_error_message=_("You already have a view with this name here."),
            ),
            models.UniqueConstraint(
                "owner",
                Lower("name"),
                name="actionplans_savedview_mine_name_unique",
                condition=Q(plan__isnull=True),
                violation_error_message=_("You already have a view with this name here."),
            ),
            models.CheckConstraint(
                condition=(Q(page=SavedViewPage.PLAN) & Q(plan__isnull=False))
                | (Q(page=SavedViewPage.MINE) & Q(plan__isnull=True) & Q(shared=False)),
                name="actionplans_savedview_page_plan",
                violation_error_message=_("Only a plan page's view has a plan and can be shared."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="actionplans_savedview_name_not_blank",
                violation_error_message=_("Give the view a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _in_order(choices, tags, kind: str) -> list[str]:
    slugs = {tag.slug for tag in tags if tag.kind == kind}
    # `choices.values` builds its list on every call: not for a point without such tags.
    return [slug for slug in choices.values if slug in slugs] if slugs else []


def with_pim_tags() -> models.Prefetch:
    """Prefetch action points' PIM tags, read through ActionPoint.pim_tag_list,
    pim_categories and pim_principles (one query for the whole list)."""
    return models.Prefetch("pim_tags", queryset=PimTag.objects.all(), to_attr="prefetched_pim_tags")


def with_focal_points(*only: str) -> models.Prefetch:
    """Prefetch action points' focal points with their people and organizations,
    read through ActionPoint.focal_point_list; given field names (`only`), only
    those columns (and the keys that join them), for a reader that needs no more.

    A plain list (`to_attr`): a prefetch into the related manager makes Django
    build a filtered queryset per action point, a large share of a list's time.
    """
    queryset = FocalPoint.objects.select_related("person__organization")
    if only:
        keys = ("action_point", "person", "person__organization")
        queryset = queryset.only(*keys, *only)
    return models.Prefetch("focal_points", queryset=queryset, to_attr="prefetched_focal_points")
