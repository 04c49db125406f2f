import time

from django.core.management.base import BaseCommand, CommandError

from actionplans.synthetic import generate


class Command(BaseCommand):
    help = (
        "Create realistic, deterministic synthetic plans for benchmarks and load tests "
        "(bulk inserts; no history rows for this generated data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, required=True, help="How many plans.")
        parser.add_argument(
            "--action-points", type=int, required=True, help="How many action points in all."
        )
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")

    def handle(self, *args, **options):
        plans, points = options["plans"], options["action_points"]
        if plans < 1 or points < plans:
            raise CommandError("Give at least one plan and at least one action point per plan.")
        if points > 2_000_000:
            raise CommandError("At most 2,000,000 action points.")
        start = time.perf_counter()
        counts = generate(plans=plans, action_points=points, seed=options["seed"])
        elapsed = time.perf_counter() - start
        self.stdout.write(
            f"Generated in {elapsed:.1f} s: {counts.plans} plans, {counts.groups} working groups, "
            f"{counts.challenges} challenges, {counts.action_points} action points, "
            f"{counts.focal_points} focal points, {counts.progress_updates} progress updates, "
            f"{counts.deadline_changes} deadline changes, {counts.people} people, "
            f"{counts.organizations} new organizations."
        )
