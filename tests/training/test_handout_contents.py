"""A handout's contents name each section's guide and never repeat a line; a module
whose timings exceed its duration says so on its page and its cover."""

import re

import pytest

from guides.library.models import Section
from guides.training.models import ItemKind, Module, duration_minutes, over_time
from tests.factories import add_item, csrf_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return make_user("tr", "trainer")


def contents_of(html: str) -> list[str]:
    toc = html[html.index('id="toc-heading"') :]
    toc = toc[: toc.index("</nav>")]
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", toc)]


def test_each_section_line_names_its_guide_and_no_line_repeats(trainer):
    module = Module.objects.create(owner=trainer, title="Two guides", duration="")
    how = list(Section.objects.filter(anchor="how-to-do-it").select_related("guide")[:2])
    assert len(how) == 2, "two guides have a section called 'How to do it'"
    title = how[0].title
    for section in how:
        add_item(module, ItemKind.SECTION, section)
    add_item(module, ItemKind.NOTE, title="Exercise", text="Map it.")
    add_item(module, ItemKind.NOTE, title="Exercise", text="Map it again.")
    html = csrf_client(trainer).get(f"/modules/{module.pk}/handout/?edition=trainer")
    lines = contents_of(html.content.decode())
    short = [s.guide.title.split(",")[0] for s in how]
    assert f"{short[0]}: {title}" in lines and f"{short[1]}: {title}" in lines
    assert "Exercise" in lines and "Exercise (2)" in lines
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2 hours", 120),
        ("90 min", 90),
        ("1 h 30 min", 90),
        ("1.5 hours", 90),
        ("an hour", 60),
        ("half an hour", 30),
        ("45 minutes", 45),
        ("half a day", None),
        ("", None),
        ("a morning", None),
    ],
)
def test_a_duration_is_read_as_written(text, minutes):
    assert duration_minutes(text) == minutes


def test_over_time_only_when_the_timings_exceed_a_readable_duration():
    assert over_time(150, "2 hours") == (
        "The timings add up to 2 h 30 min, 30 min more than the module's duration (2 hours)."
    )
    assert over_time(120, "2 hours") == ""
    assert over_time(500, "half a day") == ""
    assert over_time(0, "1 hour") == ""


def test_an_over_time_module_says_so_on_its_page_and_cover(trainer):
    module = Module.objects.create(owner=trainer, title="Tight", duration="1 hour")
    add_item(module, ItemKind.NOTE, title="Talk", text="Intro.", minutes=45)
    add_item(module, ItemKind.NOTE, title="Exercise", text="Map it.", minutes=30)
    client = csrf_client(trainer)
    page = client.get(f"/modules/{module.pk}/").content.decode()
    message = "The timings add up to 1 h 15 min, 15 min more than the module&#x27;s duration"
    assert message in page
    cover = client.get(f"/modules/{module.pk}/handout/?edition=trainer").content.decode()
    assert message in cover
    participant = client.get(f"/modules/{module.pk}/handout/?edition=participant")
    assert "The timings add up" not in participant.content.decode()  # for the trainer only
    module.duration = "2 hours"
    module.save()
    assert "The timings add up" not in client.get(f"/modules/{module.pk}/").content.decode()
