from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from orgs.services import api_token_issue


class Command(BaseCommand):
    help = (
        "Issue an API token for an account and print it. The token carries the account's "
        "rights (or only its read rights with --read-only); only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account the token acts for.")
        parser.add_argument(
            "--read-only", action="store_true", help="The token may read but never write."
        )
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, **options):
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named “{username}”.")
        try:
            token, key = api_token_issue(
                user=user, name=options["name"], read_only=options["read_only"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        kind = "read-only " if token.read_only else ""
        self.stderr.write(f"New {kind}token {token.prefix}… for {username}; keep it secret:")
        self.stdout.write(key)
