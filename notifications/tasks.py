"""Background work, on Django's Tasks framework (the django-tasks backport).

The backend is a setting (TASKS_BACKEND): the database by default, worked by
`manage.py db_worker`; RQ on Redis for large deployments. Arguments are ids,
never objects, so any backend can serialise them as JSON.
"""

from django_tasks import task

from notifications import delivery


@task()
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Send the day's emails of these deliveries; failures are retried later."""
    return delivery.send(delivery_ids)
