"""Create a staff account with one or more roles.

    python manage.py create_user jsmith --email j.smith@nhs.example --role facilitator

The password is never a default. It comes from, in this order:
  --password-file PATH    the first line of a file (e.g. a secret mounted by the host);
  ILG_NEW_USER_PASSWORD   an environment variable;
  a prompt                typed twice, when run at a terminal;
or --no-password creates the account without one: the person then sets it through
"Forgotten your password?" on the sign-in page (so --email is needed).
The password must pass the site's password rules (AUTH_PASSWORD_VALIDATORS).
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

ROLES = {"facilitator": "Facilitators", "editor": "Editors", "trainer": "Trainers"}
PASSWORD_ENV = "ILG_NEW_USER_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff account with a role: facilitator (adds local examples), editor "
        "(reviews and publishes them), trainer (builds modules). The password comes from "
        f"--password-file, the {PASSWORD_ENV} environment variable or a prompt; there is "
        "no default. Use createsuperuser for the first administrator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            choices=sorted(ROLES),
            required=True,
            help="A role to give; repeat for more than one.",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--password-file", help="Read the password from this file.")
        source.add_argument(
            "--no-password",
            action="store_true",
            help="No password: the person sets one with the reset link sent to --email.",
        )

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        username = options["username"].strip()
        if not username:
            raise CommandError("The user name cannot be empty.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already a user called '{username}'.")
        email = options["email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise CommandError(f"'{email}' is not a valid email address.") from exc
        if options["no_password"] and not email:
            raise CommandError("--no-password needs --email, so the person can set a password.")
        groups = []
        for role in dict.fromkeys(options["role"]):
            group = Group.objects.filter(name=ROLES[role]).first()
            if group is None:
                raise CommandError(f"The {ROLES[role]} group is missing: run 'migrate' first.")
            groups.append(group)

        user = User(
            username=username,
            email=email,
            first_name=options["first_name"],
            last_name=options["last_name"],
        )
        if options["no_password"]:
            user.set_unusable_password()
        else:
            password = self.password(options)
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("The password was refused: " + " ".join(exc.messages)) from exc
            user.set_password(password)
        with transaction.atomic():
            user.full_clean(exclude=["password"])
            user.save()
            user.groups.set(groups)
        roles = ", ".join(g.name for g in groups)
        self.stdout.write(self.style.SUCCESS(f"Created '{username}' with the roles: {roles}."))
        if options["no_password"]:
            self.stdout.write(
                "No password is set: they choose one with 'Forgotten your password?' "
                "on the sign-in page."
            )

    def password(self, options: dict[str, Any]) -> str:
        if options["password_file"]:
            try:
                with open(options["password_file"], encoding="utf-8") as f:
                    password = f.readline().rstrip("\r\n")
            except OSError as exc:
                raise CommandError(f"Cannot read the password file: {exc}") from exc
            if not password:
                raise CommandError("The password file is empty.")
            return password
        if os.environ.get(PASSWORD_ENV):
            return os.environ[PASSWORD_ENV]
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password given: use --password-file, set {PASSWORD_ENV}, run this at a "
                "terminal to be asked, or use --no-password with --email."
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords were different.")
        if not first:
            raise CommandError("The password cannot be empty.")
        return first
