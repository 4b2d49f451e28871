"""Charts as training module items: added from the run chart maker with the trainer's
explanation, kept as the maker's settings, drawn as vector SVG in the handouts."""

import io
import re
from urllib.parse import urlencode

import pytest
from pypdf import PdfReader

from guides.training.models import ItemKind, Module, ModuleItem
from tests.factories import csrf_client, make_user, post

pytestmark = pytest.mark.django_db

SETTINGS = {
    "data": "\n".join(f"Week {i + 1}\t{v}" for i, v in enumerate([9, 11] * 10 + [16])),
    "chart": "xmr",
    "baseline": "20",
    "direction": "increase",
    "title": "Clinic waits",
}


@pytest.fixture
def trainer():
    return make_user("tess", "trainer")


@pytest.fixture
def module(trainer):
    return Module.objects.create(owner=trainer, title="Reading charts")


def add_chart(client, module, **extra):
    """Post the chart form for `module` (a Module, or "new" for a new one)."""
    chosen = module if isinstance(module, str) else str(module.pk)
    return post(
        client,
        "/modules/add-chart/",
        {**SETTINGS, "save": "1", "module": chosen, "title": "Clinic waits",
         "text": "Ask the group what **changed** in week 21.", **extra},
    )  # fmt: skip


def test_the_maker_offers_modules_to_those_who_build_them(trainer):
    url = f"/run-chart/?{urlencode(SETTINGS)}"
    assert "Add this chart to a training module" not in csrf_client().get(url).content.decode()
    html = csrf_client(trainer).get(url).content.decode()
    assert "Add this chart to a training module" in html
    assert 'action="/modules/add-chart/"' in html


def test_a_trainer_adds_a_chart_with_its_explanation(trainer, module):
    client = csrf_client(trainer)
    page = post(client, "/modules/add-chart/", SETTINGS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Reading charts" in html and 'value="Clinic waits"' in html
    assert re.search(r"<svg [^>]*class=\"run-chart-svg\"", html)
    version = module.version
    response = add_chart(client, module)
    (item,) = module.items.all()
    assert response.status_code == 302
    assert response["Location"] == f"/modules/{module.pk}/#item-{item.pk}"
    assert item.kind == ItemKind.CHART and item.chart_settings["data"] == SETTINGS["data"]
    assert "<strong>changed</strong>" in item.text_html
    module.refresh_from_db()
    assert module.version == version + 1
    detail = client.get(module.get_absolute_url()).content.decode()
    assert "Clinic waits" in detail and "Ask the group what" in detail
    assert not item.missing and item.url == "" and item.current_title == "Clinic waits"


def test_the_handout_draws_the_chart_and_a_copy_keeps_it(trainer, module):
    client = csrf_client(trainer)
    add_chart(client, module)
    html = client.get(f"/modules/{module.pk}/handout/?edition=participant").content.decode()
    assert 'class="run-chart-svg"' in html and "Ask the group what" in html
    assert "Special cause improvement:" in html
    copy = module.duplicate(make_user("tom", "trainer"))
    assert copy.items.get().chart_settings == module.items.get().chart_settings


def test_the_handout_pdf_has_the_chart_as_text_and_vectors(trainer, module):
    client = csrf_client(trainer)
    add_chart(client, module)
    response = client.get(f"/modules/{module.pk}/handout.pdf?edition=participant")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Clinic waits" in text and "Upper limit 15.32" in text
    assert all(not page.images for page in reader.pages)


def test_only_trainers_add_charts_and_only_to_their_own_modules(trainer, module):
    facilitator = csrf_client(make_user("fran", "facilitator"))
    assert post(facilitator, "/modules/add-chart/", SETTINGS).status_code == 403
    other = make_user("tom", "trainer")
    Module.objects.create(owner=other, title="Tom's own")
    response = add_chart(csrf_client(other), module)
    assert response.status_code == 400
    assert "Choose one of your modules, or a new one." in response.content.decode()
    assert not module.items.exists()


def test_a_chart_that_cannot_be_drawn_is_sent_back_to_the_maker(trainer, module):
    client = csrf_client(trainer)
    response = post(client, "/modules/add-chart/", {**SETTINGS, "data": "no numbers"})
    assert response.status_code == 302 and response["Location"] == "/run-chart/"
    assert not ModuleItem.objects.exists()


def test_a_chart_goes_into_a_new_module_made_on_the_way(trainer, module):
    client = csrf_client(trainer)
    html = post(client, "/modules/add-chart/", SETTINGS).content.decode()
    assert '<option value="new">A new module</option>' in html
    # "A new module" without a title: the form again, with everything kept.
    response = add_chart(client, "new", new_title="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the new module a title." in html and "Ask the group what" in html
    assert Module.objects.filter(owner=trainer).count() == 1
    response = add_chart(client, "new", new_title="Charts for ward teams")
    made = Module.objects.get(owner=trainer, title="Charts for ward teams")
    (item,) = made.items.all()
    assert response["Location"] == f"/modules/{made.pk}/#item-{item.pk}"
    assert item.kind == ItemKind.CHART and not module.items.exists()
    assert made.visibility == Module._meta.get_field("visibility").default


def test_someone_with_no_modules_is_offered_a_new_one(trainer):
    client = csrf_client(trainer)
    html = post(client, "/modules/add-chart/", SETTINGS).content.decode()
    assert '<option value="new" selected>A new module</option>' in html
    assert 'name="new_title"' in html
