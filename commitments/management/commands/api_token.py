"""Print the API token of an account, creating it if missing (for other systems' accounts)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print the REST API token of USERNAME, creating the token if it has none."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            # Token authentication refuses inactive accounts: a key would not work.
            raise CommandError(f"The user {username!r} is inactive; activate it first.")
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
