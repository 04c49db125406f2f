"""The record that a person has been named in a plan (actionplans.models.Naming).

Every service that names someone in a plan (a group's leader or member, a focal
point; by page, API or import) calls record_namings; one insert per call."""

from __future__ import annotations

from collections.abc import Iterable

from actionplans.models import Naming


def record_namings(plan_id: int, person_ids: Iterable[int | None]) -> None:
    ids = sorted({person_id for person_id in person_ids if person_id is not None})
    if ids:
        Naming.objects.bulk_create(
            [Naming(person_id=person_id, plan_id=plan_id) for person_id in ids],
            batch_size=1000,
            ignore_conflicts=True,
        )
