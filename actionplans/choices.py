"""Choices shared by the models, forms, filters, API and importer."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class PlanVisibility(models.TextChoices):
    SIGNED_IN = "signed_in", _("All signed-in users")
    MEMBERS = "members", _("Members only")


class ActionPointStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Open = still to be delivered: these are the statuses that can be overdue or due soon.
OPEN_STATUSES: tuple[str, ...] = (
    ActionPointStatus.NOT_STARTED,
    ActionPointStatus.IN_PROGRESS,
    ActionPointStatus.BLOCKED,
)


class DeadlinePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half year")
    YEAR = "year", _("Year")
    NONE = "none", _("No date")


class FocalPointRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORT = "support", _("Support")
    ADVISOR = "advisor", _("Advisor")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


# The PIM framework (docs/domain.md, "The PIM framework"): fixed lists with
# stable slugs, the values the API, filters, imports and exports use.
class PimCategory(models.TextChoices):
    POPULATION_DATA = "population_data", _("Population data")
    PROTECTION_NEEDS_ASSESSMENT = "protection_needs_assessment", _("Protection needs assessment")
    PROTECTION_MONITORING = "protection_monitoring", _("Protection monitoring")
    CASE_MANAGEMENT = "case_management", _("Case management")
    PROTECTION_RESPONSE_ME = (
        "protection_response_monitoring_evaluation",
        _("Protection response monitoring and evaluation"),
    )
    SECURITY_SITUATIONAL_AWARENESS = (
        "security_situational_awareness",
        _("Security and situational awareness"),
    )
    SECTORAL_SYSTEMS_OTHER = "sectoral_systems_other", _("Sectoral systems/other")
    COMMUNICATING_WITH_COMMUNITIES = (
        "communicating_with_communities",
        _("Communicating with(in) affected communities"),
    )


class PimPrinciple(models.TextChoices):
    PEOPLE_CENTRED = "people_centred_inclusive", _("People-centred and inclusive")
    DO_NO_HARM = "do_no_harm", _("Do no harm")
    DEFINED_PURPOSE = "defined_purpose", _("Defined purpose")
    INFORMED_CONSENT = "informed_consent_confidentiality", _("Informed consent and confidentiality")
    DATA_RESPONSIBILITY = (
        "data_responsibility_protection_security",
        _("Data responsibility, protection and security"),
    )
    COMPETENCY = "competency_capacity", _("Competency and capacity")
    IMPARTIALITY = "impartiality", _("Impartiality")
    COORDINATION = "coordination_collaboration", _("Coordination and collaboration")


class PimProcessStep(models.TextChoices):
    # In the order of the PIM process.
    ASSESS = "assess_information_landscape", _("Assess information landscape")
    DESIGN = "design_im_systems", _("Design IM systems")
    IMPLEMENT = "implement_im_systems", _("Implement IM systems")
    EVALUATE = "evaluate_impact", _("Evaluate impact")


class PimTagKind(models.TextChoices):
    CATEGORY = "category", _("PIM category")
    PRINCIPLE = "principle", _("PIM principle")


class SavedViewPage(models.TextChoices):
    PLAN = "plan", _("Plan page")
    MINE = "mine", _("My action points")
