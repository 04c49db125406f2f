from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class Command(BaseCommand):
    help = (
        "Import an action-plan table (XLSX, CSV or tab-separated; workshop or flat layout) "
        "into a new plan or an existing one. Writes nothing when the table has errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The table to import.")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--plan", type=int, help="Import into the plan with this id.")
        target.add_argument("--title", default="", help="Title of the new plan.")
        parser.add_argument("--country", default="", help="Country of the new plan.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count; save nothing.")
        parser.add_argument(
            "--keep-undated",
            action="store_true",
            help="Keep unreadable deadlines as text without a date instead of refusing them.",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        plan = None
        if options["plan"] is not None:
            plan = ActionPlan.objects.filter(pk=options["plan"]).first()
            if plan is None:
                raise CommandError(f"No plan with id {options['plan']}.")
        try:
            table = read_table(path.read_bytes())
        except ValidationError as error:
            raise CommandError(f"{path}: " + " ".join(error.messages)) from None
        for issue in table.warnings:
            self.stderr.write(f"Warning: {issue}")
        try:
            with transaction.atomic():
                result = plan_import(
                    table=table,
                    plan=plan,
                    title=options["title"],
                    country=options["country"],
                    keep_unreadable_deadlines=options["keep_undated"],
                )
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            messages = (
                [f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise CommandError(f"{path}: nothing imported.\n" + "\n".join(messages)) from None
        verb = "Would import" if options["dry_run"] else "Imported"
        target = "a new plan" if result.plan_created else f"plan {result.plan.pk}"
        self.stdout.write(
            f"{verb} into {target} “{result.plan.title}”: {result.groups} working group(s), "
            f"{result.challenges} challenge(s), {result.action_points} action point(s), "
            f"{result.people} person(s) created; {result.unchanged} action point(s) already there."
        )
