"""Choices for organizations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    UN_AGENCY = "un_agency", _("UN agency")
    INGO = "ingo", _("International NGO")
    NNGO = "nngo", _("National NGO")
    GOVERNMENT = "government", _("Government")
    CLUSTER = "cluster", _("Cluster")
    ACADEMIC = "academic", _("Academic")
    DONOR = "donor", _("Donor")
    OTHER = "other", _("Other")
