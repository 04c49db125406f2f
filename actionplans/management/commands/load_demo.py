from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from actionplans.demo import demo_load


class Command(BaseCommand):
    help = (
        "Create the PIM Lebanon demo plan from the seed table and four demo accounts "
        "(administrator, coordinator, member, viewer), printing their credentials; give the "
        "plan's people example addresses (name@example.org); add an example plan whose "
        "dates are relative to today (overdue, due soon, blocked, stale points and months "
        "of updates) unless --no-example is given. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=settings.DEMO_PLAN_FILE,
            help="Workshop table (tab-separated) to read. Default: the bundled seed table.",
        )
        parser.add_argument(
            "--no-example",
            action="store_true",
            help="Do not add the example plan whose dates are relative to today.",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the demo accounts new passwords.",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = demo_load(
                table_file=path,
                credentials_file=Path(settings.LOCAL_STATE_DIR) / "demo_credentials.json",
                reset_passwords=options["reset_passwords"],
                example=not options["no_example"],
            )
        except ValidationError as error:
            raise CommandError(f"{path}: " + "; ".join(error.messages)) from None

        verb = "Created" if result.plan_created else "Already there:"
        self.stdout.write(f'{verb} plan "{result.plan.title}" (id {result.plan.pk}).')
        if result.example_plan is not None:
            verb = "Created" if result.example_created else "Already there:"
            example = result.example_plan
            self.stdout.write(f'{verb} plan "{example.title}" (id {example.pk}).')
        self.stdout.write("Demo accounts:")
        for account in result.accounts:
            password = account.password or (
                "(unchanged; run `manage.py load_demo --reset-passwords` for a new one)"
            )
            self.stdout.write(f"  {account.username:<18} {password:<14}  {account.role}")
        self.stdout.write("Demo people's addresses (example.org: nothing is delivered there):")
        self.stdout.write(
            "  " + ", ".join(f"{name} {email or '(none)'}" for name, email in result.addresses)
        )
