from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actionplans.imports.decode import check_size
from actionplans.imports.read import read_table
from actionplans.imports.write import plan_import
from actionplans.models import ActionPlan
from actionplans.services.people import AMBIGUOUS_POLICIES, AMBIGUOUS_STOP
from pim_tracker.errors import as_lines


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class Command(BaseCommand):
    help = (
        "Import an action-plan table (XLSX, CSV or tab-separated; workshop or flat layout) "
        "into a new plan or an existing one. Writes nothing when the table has errors. "
        "People are matched by name: the plan's own first, then anyone named in a plan of "
        "the same country (the command runs as no user, so it sees every plan, as an "
        "administrator does); one match is reused, several are ambiguous (see --ambiguous)."
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
        parser.add_argument(
            "--ambiguous",
            choices=AMBIGUOUS_POLICIES,
            default=AMBIGUOUS_STOP,
            help="A name several people of the country's plans bear: stop (default: import "
            "nothing, listing them) or new (create a new person for it).",
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
            check_size(path.stat().st_size)  # before the file is read into memory
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
                    ambiguous=options["ambiguous"],
                )
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            messages = as_lines(error)
            if any(e.code == "ambiguous_people" for e in getattr(error, "error_list", [])):
                messages.append(
                    "Write the organization with the name in the table (“UNHCR (Omar)”) to "
                    "say which, or run again with --ambiguous=new to create new people."
                )
            raise CommandError(f"{path}: nothing imported.\n" + "\n".join(messages)) from None
        created = "would be created" if options["dry_run"] else "was created"
        for item in result.ambiguous:
            self.stderr.write(
                f"Note: “{item.name}” may be any of {len(item.candidates)} people named in "
                f"plans of {result.plan.country}: {item.candidates_text()}; "
                f"a new person {created}."
            )
        verb = "Would import" if options["dry_run"] else "Imported"
        target = "a new plan" if result.plan_created else f"plan {result.plan.pk}"
        reused = f", {result.reused} found in other plans" if result.reused else ""
        self.stdout.write(
            f"{verb} into {target} “{result.plan.title}”: {result.groups} working group(s), "
            f"{result.challenges} challenge(s), {result.action_points} action point(s), "
            f"{result.people} person(s) created{reused}; "
            f"{result.unchanged} action point(s) already there"
            + (f", {result.retagged} of them retagged." if result.retagged else ".")
        )
