"""The NHS.UK design system is the one the site is built on: vendored with its version and
licence, every asset it names served from here, its classes in the header and footer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from guides.library import context_processors
from guides.library.models import ContentVersion, Guide, Tool

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor" / "nhsuk-frontend"


def test_the_vendored_copy_names_its_version_and_licence():
    assert re.fullmatch(r"nhsuk-frontend \d+\.\d+\.\d+\n", (VENDOR / "VERSION").read_text())
    assert "MIT License" in (VENDOR / "LICENSE").read_text()
    script = (Path(settings.BASE_DIR) / "scripts" / "vendor_nhsuk.py").read_text()
    pinned = re.search(r'^VERSION = "([^"]+)"', script, re.M).group(1)
    assert (VENDOR / "VERSION").read_text().split()[1] == pinned


def test_every_url_in_the_stylesheet_is_a_vendored_file():
    css = (VENDOR / "nhsuk-frontend.min.css").read_text()
    urls = re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", css)
    assert urls, "the stylesheet names its icons"
    for url in urls:
        assert not re.match(r"(https?:)?//", url), f"{url} is on another site"
        if url.startswith("data:"):
            continue
        assert (VENDOR / url.split("#")[0].split("?")[0]).is_file(), f"{url} is not vendored"
    assert "sourceMappingURL" not in css


def test_the_script_cleans_a_stylesheet_for_this_site():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "vendor_nhsuk", Path(settings.BASE_DIR) / "scripts" / "vendor_nhsuk.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    css = (
        "@font-face{font-family:F;src:url(https://assets.nhs.uk/f.woff2)}"
        ".a{background:url(/assets/images/x.svg)}\n/*# sourceMappingURL=x.css.map */"
    )
    assert module.clean_css(css) == ".a{background:url(assets/images/x.svg)}"
    with pytest.raises(SystemExit):
        module.clean_css(".b{background:url(https://cdn.example/x.png)}")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/glossary/", "/accounts/login/", "/no-such-page/"])
def test_every_page_is_built_on_the_design_system(path):
    html = Client().get(path).content.decode()
    assert 'href="/static/vendor/nhsuk-frontend/nhsuk-frontend.min.css"' in html
    assert html.index("nhsuk-frontend.min.css") < html.index("css/site.css")  # ours adds
    assert '<header class="nhsuk-header site-header"' in html
    assert 'class="nhsuk-header__service-name site-name"' in html
    assert "Service improvement team" in html  # the owner
    assert '<footer class="nhsuk-footer site-footer"' in html
    assert 'rel="icon" href="/static/vendor/nhsuk-frontend/assets/images/favicon.ico"' in html
    assert "<script>" not in html  # js-enabled comes from a static file (no inline script)


@pytest.mark.django_db
def test_each_page_shows_the_content_version_and_when_it_was_last_reviewed():
    import datetime

    ContentVersion.objects.all().delete()
    context_processors.forget()
    assert "Content version" not in Client().get("/").content.decode()  # nothing loaded
    Guide.objects.update(last_reviewed=datetime.date(2026, 3, 4))
    Tool.objects.update(last_reviewed=datetime.date(2025, 1, 2))
    version = ContentVersion.objects.create(digest="abcdef1234567890")
    context_processors.forget()
    html = Client().get("/glossary/").content.decode()
    assert f'Content version <span class="content-version">{version.label}</span>' in html
    assert '<time datetime="2026-03-04">4 March 2026</time>' in html  # the latest review
    context_processors.forget()
