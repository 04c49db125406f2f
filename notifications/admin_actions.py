"""What administrators do to deliveries from the admin: send failed ones again."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from notifications.choices import DeliveryStatus
from notifications.delivery import enqueue
from notifications.models import Delivery


def deliveries_retry(deliveries: Iterable[Delivery]) -> list[int]:
    """Queue the failed ones among these deliveries again and hand them to the
    worker once the transaction commits; the ids re-queued (others are left as
    they are: a sent email is not sent twice)."""
    ids = [delivery.pk for delivery in deliveries]
    with transaction.atomic():
        failed = list(
            Delivery.objects.select_for_update()
            .filter(id__in=ids, status=DeliveryStatus.FAILED)
            .order_by("id")
            .values_list("id", flat=True)
        )
        Delivery.objects.filter(id__in=failed).update(
            status=DeliveryStatus.QUEUED, next_attempt_at=None
        )
        if failed:
            transaction.on_commit(lambda: enqueue(failed))
    return failed
