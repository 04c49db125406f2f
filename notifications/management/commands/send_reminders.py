"""Find what is due today and queue the emails: what the daily timer runs."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actionplans.models import ActionPlan, ActionPoint
from notifications.services import send_reminders


class Command(BaseCommand):
    help = (
        "Record today's reminders and weekly digests and queue one email per address "
        "(sent by the task worker). Running it again the same day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="The day to run for, YYYY-MM-DD (default: today in TIME_ZONE).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print who would get what; record and send nothing.",
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f'--today: "{today}" is not a date like 2019-03-17.') from None
        else:
            day = timezone.localdate()
        result = send_reminders(day, dry_run=dry_run)
        if dry_run:
            self._print_dry_run(result)
            return
        self.stdout.write(
            f"{day}: {len(result.new)} new notification(s) recorded, "
            f"{result.deliveries} email(s) queued in {result.tasks} task(s)."
        )

    def _print_dry_run(self, result):
        new = sorted(
            result.preview, key=lambda n: (n.recipient or f"~user {n.user_id}", n.kind, n.key)
        )
        if not new:
            self.stdout.write(f"{result.day}: nothing new to send (dry run).")
            return
        self.stdout.write(f"{result.day}: would record {len(new)} notification(s) (dry run):")
        points = ActionPoint.objects.in_bulk({n.action_point_id for n in new if n.action_point_id})
        plans = ActionPlan.objects.in_bulk({n.plan_id for n in new})
        current = None
        for notification in new:
            who = notification.recipient or f"account {notification.user_id} (in the app only)"
            if who != current:
                self.stdout.write(f"  {who}")
                current = who
            point = points.get(notification.action_point_id)
            what = str(point) if point else plans[notification.plan_id].title
            self.stdout.write(f"    {notification.get_kind_display()}: {what}")
