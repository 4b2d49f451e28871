"""What the browser tests share besides fixtures: where Chromium is, the viewports,
staff with roles, signing in through the form, and every page type to scan."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


# Staff ---------------------------------------------------------------------------------

PASSWORD = "a-long-test-password-1"
# The roles' permissions, as the migrations give them. The groups are made again here:
# pytest-django empties every table after each browser test, the migrations' groups too.
ROLE_PERMISSIONS = {
    "facilitator": ("Facilitators", ["add_localexample"]),
    "editor": ("Editors", ["add_localexample", "change_localexample", "delete_localexample",
                           "view_localexample", "review_localexample", "add_module",
                           "change_module"]),
    "trainer": ("Trainers", ["add_module"]),
}  # fmt: skip


def make_staff(username: str, role: str, **fields):
    from django.contrib.auth.models import Group, Permission, User

    name, codenames = ROLE_PERMISSIONS[role]
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    user = User.objects.create_user(username, password=PASSWORD, **fields)
    user.groups.add(group)
    return user


def sign_in(page, site: str, username: str, next_path: str = "/") -> None:
    """Through the sign-in form, as a person would."""
    page.goto(f"{site}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}{next_path}*")


# Every page type, for the accessibility and Content-Security-Policy scans. {name} is
# filled in from the `library` fixture.
RUN_CHART_DATA = "data=" + "%0A".join(
    str(v) for v in [14, 16, 13, 15, 17, 12, 15, 16, 14, 18, 13, 15, 18, 21, 19, 22, 24, 20]
)
SIGNED_OUT_PAGES = [
    "/",
    "/guides/measurement-for-improvement/",
    "/tools/",
    "/tools/run-charts/",
    "/glossary/",
    "/glossary/pdsa/",
    "/search/",
    "/search/?q=running+a+pilot",
    "/search/?q=qwxzvbnm",
    "/no-such-page/",
    "/examples/",
    "/examples/?guide=process-mapping&tag=discharge",
    "/examples/{published}/",
    "/run-chart/",
    "/run-chart/?" + RUN_CHART_DATA + "&title=Discharges+before+midday",
    "/run-chart/?" + RUN_CHART_DATA + "&chart=xmr&baseline=12",
    "/run-chart/?data=not+numbers",
    "/accounts/login/",
    "/accounts/password_reset/",
    "{module_link}",
    "/guides/process-mapping/handout/",
    "/tools/run-charts/handout/",
    "/tools/finder/",
    "/tools/finder/?stage=measuring&time=under-an-hour",
    "/tools/demand-and-capacity-tables/",
    "/tools/demand-and-capacity-tables/worksheet/",
    "/tools/demand-and-capacity-tables/handout/",
    "/capacity/",
    "/capacity/?demand=30&capacity=27&target_wait=18&queue=1200",
    "/capacity/?demand=30&capacity=0&target_wait=18",
]
SIGNED_IN_PAGES = [
    ("facilitator", "/"),
    ("facilitator", "/guides/process-mapping/"),
    ("facilitator", "/examples/mine/"),
    ("facilitator", "/examples/new/"),
    ("facilitator", "/examples/{draft}/"),
    ("facilitator", "/examples/{draft}/edit/"),
    ("facilitator", "/examples/{draft}/delete/"),
    ("facilitator", "/tools/five-whys/"),
    ("facilitator", "/examples/new/?tool=five-whys&step=step-ask-why-did-this-happen"),
    ("facilitator", "/accounts/password_change/"),
    ("facilitator", "/accounts/profile/"),
    ("facilitator", "/modules/"),
    ("editor", "/examples/review/"),
    ("editor", "/examples/{submitted}/"),
    ("editor", "/examples/{published}/"),
    ("trainer", "/modules/"),
    ("trainer", "/modules/new/"),
    ("trainer", "/modules/{module}/"),
    ("trainer", "/modules/{module}/?q=run+chart"),
    ("trainer", "/modules/{module}/edit/"),
    ("trainer", "/modules/{module}/handout/?edition=trainer"),
    ("trainer", "/guides/process-mapping/"),
    ("trainer", "/glossary/pdsa/"),
    ("trainer", "/examples/new/"),
]


def go_to_menu_link(page, name: str) -> None:
    """Click a header link as a person would: on a phone the links that do not fit are
    under the design system's "More" menu."""
    link = page.get_by_role("link", name=name, exact=True).first
    if not link.is_visible():
        page.get_by_role("button", name="Browse More").click()
        link = page.get_by_role("link", name=name, exact=True).first
    link.click()
