"""``manage.py api_token``: issue, rotate, revoke and list the API tokens of accounts.

``create`` and ``rotate`` print the new secret alone on standard output (it is shown only
this once; scripts read it from there) and what it is on standard error.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from access.errors import AccessError
from access.models import COMMAND_LINE_TOKEN_NAME, ApiToken
from access.selectors import token_list
from access.services import token_issue, token_revoke, token_rotate
from directory.audit import system_user


class Command(BaseCommand):
    help = "Issue (create), rotate, revoke or list API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token for USERNAME.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        create.add_argument(
            "--days", type=int, help="Lifetime in days (default ACCESS_TOKEN_DAYS)."
        )
        rotate = actions.add_parser("rotate", help="Issue the successor of token ID.")
        rotate.add_argument("id", type=int)
        rotate.add_argument(
            "--overlap-hours",
            type=float,
            help="Hours the old secret keeps working (default: the rotation overlap setting).",
        )
        revoke = actions.add_parser("revoke", help="Revoke token ID now.")
        revoke.add_argument("id", type=int)
        revoke.add_argument("--reason", required=True)
        listing = actions.add_parser("list", help="List tokens (of USERNAME).")
        listing.add_argument("username", nargs="?")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except AccessError as error:
            raise CommandError(error.message) from None

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        return user

    def _token(self, pk: int) -> ApiToken:
        token = ApiToken.objects.select_related("user").filter(pk=pk).first()
        if token is None:
            raise CommandError(f"No token {pk}.")
        return token

    def handle_create(self, *, username: str, name: str, days: int | None, **options):
        user = self._user(username)
        now = timezone.now()
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        issued = token_issue(
            user=user,
            name=name or COMMAND_LINE_TOKEN_NAME % {"username": username},
            by=system_user(),
            expires_at=now + timedelta(days=days) if days else None,
            at=now,
        )
        until = f"{issued.token.expires_at:%Y-%m-%d %H:%M %Z}"
        self.stderr.write(f"Token {issued.token.pk} for {username}, valid until {until}.")
        self.stdout.write(issued.secret)

    def handle_rotate(self, *, id: int, overlap_hours: float | None, **options):  # noqa: A002
        token = self._token(id)
        overlap = timedelta(hours=overlap_hours) if overlap_hours is not None else None
        issued = token_rotate(token=token, by=system_user(), overlap=overlap)
        token.refresh_from_db()
        self.stderr.write(
            f"Token {issued.token.pk} replaces {token.pk}, which stays valid until "
            f"{token.expires_at:%Y-%m-%d %H:%M %Z}."
        )
        self.stdout.write(issued.secret)

    def handle_revoke(self, *, id: int, reason: str, **options):  # noqa: A002
        token = token_revoke(token=self._token(id), by=system_user(), reason=reason)
        self.stdout.write(f"Token {token.pk} revoked.")

    def handle_list(self, *, username: str | None, **options):
        user = self._user(username) if username else None
        now = timezone.now()
        for token in token_list(user=user):
            if token.revoked_at is not None:
                state = "revoked"
            elif token.expires_at <= now:
                state = "expired"
            else:
                state = "valid"
            last_used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{token.user.get_username()}\t{token.name}\t"
                f"{state}\texpires {token.expires_at:%Y-%m-%d %H:%M}\tlast used {last_used}"
            )
