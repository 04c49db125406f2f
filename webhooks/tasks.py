"""The worker's part of webhooks, on Django's Tasks framework (see
notifications/tasks.py): arguments are ids, so any backend can carry them."""

from django_tasks import task

from webhooks import delivery


@task()
def deliver(delivery_id: int) -> str:
    """Make one attempt of this delivery; a failure enqueues the next attempt."""
    return delivery.send(delivery_id)
