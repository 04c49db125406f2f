"""Choices for organizations."""

from django.db import models


class OrganizationKind(models.TextChoices):
    UN_AGENCY = "un_agency", "UN agency"
    INGO = "ingo", "International NGO"
    NNGO = "nngo", "National NGO"
    GOVERNMENT = "government", "Government"
    CLUSTER = "cluster", "Cluster"
    ACADEMIC = "academic", "Academic"
    DONOR = "donor", "Donor"
    OTHER = "other", "Other"
