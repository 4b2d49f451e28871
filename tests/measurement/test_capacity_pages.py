"""The demand and capacity calculator's page and JSON API, on the real content: answers in
plain words, the charts, the links from the content, and every bad input refused with
the reason (a form error on the page, a 400 in the API), never a 500."""

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides.library.models import Section, Tool

pytestmark = pytest.mark.django_db

PAGE, API = "/capacity/", "/api/capacity/"
ISSUE = {"demand": "30", "capacity": "27", "target_wait": "18", "queue": "1200"}
KNOWN = (
    "referral,removal\n2024-01-01,2024-01-08\n2024-01-02,2024-01-10\n2024-01-04,\n"
    "2024-01-08,2024-01-14\n2024-01-10,\n"
)


def text_of(html: str) -> str:
    blocks = r"</?(?:dt|dd|li|p|td|th|tr|div|h\d|ul|ol|dl|section|figure|figcaption|svg)\b[^>]*>"
    return " ".join(unescape(re.sub(r"<[^>]+>", "", re.sub(blocks, " ", html))).split())


def csv_file(text: str | bytes, name: str = "list.csv") -> SimpleUploadedFile:
    raw = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def weeks_of_referrals(weeks: int, per_week: int, seen_per_week: int) -> str:
    """`per_week` referrals each week, spread over its days; the first `seen_per_week` of
    each week are seen the day they are referred, the rest still wait."""
    from datetime import date, timedelta

    start = date(2024, 1, 1)
    rows = ["Referral date,Removal date,Specialty"]
    for w in range(weeks):
        for k in range(per_week):
            day = (start + timedelta(days=7 * w + k % 7)).isoformat()
            rows.append(f"{day},{day if k < seen_per_week else ''},T&O")
    return "\n".join(rows) + "\n"


# --- The page ---------------------------------------------------------------------------


def test_the_empty_page_shows_both_ways_in(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Demand and capacity calculator</h1>" in html
    assert 'method="get"' in html and 'enctype="multipart/form-data"' in html
    assert 'name="waiting_list"' in html and 'name="pasted"' in html
    assert "The answer" not in html
    assert "wl_stats" in html  # the notes say how the file sums differ from NHSRwaitinglist
    example = unescape(re.search(r'href="([^"]+)">Try the clinic', html).group(1))
    words = text_of(client.get(example).content.decode())
    assert "About 48 people join the list each week and you see about 45." in words
    assert "Your list is 436: to bring it to 192 within 26 weeks" in words


def test_the_issue_example_answered_in_plain_words_with_each_formula(client):
    response = client.get(f"{PAGE}?{urlencode({**ISSUE, 'mean_wait': '10'})}")
    assert response.status_code == 200
    html = response.content.decode()
    words = text_of(html)
    assert (
        "About 30 people join the list each week and you see about 27. The list grows by "
        "about 3 a week. To keep waits within 18 weeks you need a list of no more than about "
        "135 and the capacity to see just over 30 a week. Your list is 1,200: to bring it to "
        "135 within 26 weeks you need about 71 a week until then." in words
    )
    assert "Target list size 135 demand × target wait ÷ factor = 30 × 18 ÷ 4" in words
    assert "Relief capacity 70.96 a week" in words
    assert "Pressure 1.11 2 × mean wait ÷ target wait = 2 × 10 ÷ 18" in words
    # Each figure links to its glossary term.
    assert '<a href="/glossary/littles-law/">Target list size</a>' in html
    assert '<a href="/glossary/demand/">Demand</a>' in html
    # The queue chart: the target as a line and the two projections, described in words.
    assert 'class="target"' in html and 'class="today"' in html and 'class="relief"' in html
    assert "At today’s rates the list would be 1,278 in 26 weeks." in html
    # The typed numbers stay in the form, to change one and see again.
    assert 'name="demand" value="30"' in html
    assert 'name="queue" value="1200"' in html


def test_every_glossary_link_on_the_answer_works(client):
    html = client.get(f"{PAGE}?{urlencode(ISSUE)}").content.decode()
    links = set(re.findall(r'href="(/glossary/[^"]+)"', html))
    assert len(links) >= 5
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_answer_takes_a_fixed_number_of_queries(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{PAGE}?{urlencode(ISSUE)}")
    assert len(queries) <= 3


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [
        ("demand", "", "Demand per week is missing"),
        ("demand", "lots", "Demand per week must be a number, such as 30, not “lots”"),
        ("demand", "NaN", "must be a number"),
        ("demand", "1e400", "is too large"),
        ("capacity", "0", "Capacity per week must be more than 0"),
        ("capacity", "-4", "Capacity per week must be more than 0"),
        ("target_wait", "0", "The target wait must be more than 0"),
        ("target_wait", "-1", "The target wait must be more than 0"),
        ("queue", "-1", "cannot be negative"),
    ],
)
def test_bad_numbers_get_a_form_error_and_keep_what_was_typed(client, field, text, words):
    params = {**ISSUE, field: text}
    response = client.get(f"{PAGE}?{urlencode(params)}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#weekly-{field}"' in html  # the summary links to the field
    assert words in text_of(html)
    assert "The answer" not in html
    for name, value in params.items():
        if value:
            assert f'name="{name}" value="{value}"' in html


def test_typed_text_is_escaped(client):
    html = client.get(f"{PAGE}?{urlencode({**ISSUE, 'demand': '<b>x'})}").content.decode()
    assert "<b>x" not in html and "&lt;b&gt;x" in html


def test_a_waiting_list_file_with_known_answers(client):
    response = client.post(PAGE, {"waiting_list": csv_file(KNOWN), "target_wait": "4"})
    assert response.status_code == 200
    html = response.content.decode()
    words = text_of(html)
    assert (
        "5 referrals and 3 removals between 1 January 2024 and 14 January 2024 (14 days, 2 weeks)"
        in words
    )
    assert "Demand 2.5 a week from your file" in words
    assert "Capacity (activity) 1.5 a week from your file" in words
    assert "Mean wait of those waiting 1 weeks from your file" in words
    # What-ifs from the file's numbers, by address.
    link = unescape(re.search(r'href="([^"]+)">Try changes with these numbers', html).group(1))
    query = parse_qs(urlsplit(link).query)
    assert query["demand"] == ["2.5"] and query["capacity"] == ["1.5"]
    assert query["queue"] == ["2"] and query["mean_wait"] == ["1"]
    assert query["cv_demand"] == ["0.56"] and query["cv_capacity"] == ["0.47"]
    assert "The answer" in client.get(link).content.decode()
    assert 'name="demand" value="2.5"' in html  # and the weekly form below starts from them


def test_a_file_draws_weekly_demand_and_activity_with_signals_explained(client):
    text = weeks_of_referrals(weeks=30, per_week=30, seen_per_week=27)
    response = client.post(PAGE, {"waiting_list": csv_file(text), "target_wait": "18"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 3  # demand, activity, and the list over time
    assert 'id="demand-chart-title"' in html and 'id="activity-chart-title"' in html
    assert "Weekly demand" in html and "Weekly activity" in html
    assert 'class="history"' in html  # the list week by week from the file
    words = text_of(html)
    assert "About 30 people join the list each week and you see about 27" in words
    # Steady weekly counts: no signal, said in words.
    assert "Is demand stable?" in words
    assert words.count("No signals. The variation looks like the everyday ups and downs") == 2
    assert "changed during the file" not in words
    assert "Only the referral and removal dates are used" in words


def test_a_shift_in_demand_is_shown_and_explained(client):
    before = weeks_of_referrals(weeks=15, per_week=20, seen_per_week=20).splitlines()
    after = weeks_of_referrals(weeks=30, per_week=40, seen_per_week=20).splitlines()[1 + 15 * 40 :]
    text = "\n".join(before + after) + "\n"
    response = client.post(PAGE, {"waiting_list": csv_file(text), "target_wait": "18"})
    words = text_of(response.content.decode())
    assert "Demand changed during the file: the charts show signals." in words
    assert "Points 16 (2024-04-15) to 30 (2024-07-22): 15 points in a row all above" in words
    assert "This is a shift." in words


def test_pasted_columns_work_like_a_file(client):
    pasted = (
        "01/01/2024\t08/01/2024\n02/01/2024\t10/01/2024\n04/01/2024\t\n"
        "08/01/2024\t14/01/2024\n10/01/2024\t\n"
    )
    response = client.post(PAGE, {"pasted": pasted, "target_wait": "4"})
    assert response.status_code == 200
    assert "Demand 2.5 a week" in text_of(response.content.decode())


BAD_FILES = [
    ("no header", "2024-01-01,2024-01-05\n", "The file has no header row"),
    ("missing column", "referral,outcome\n2024-01-01,\n", "The file has no removal column"),
    ("bad date", "referral,removal\n2024-01-01,\n2024-02-31,\n",
     "Line 3: “2024-02-31” is not a date"),
    (
        "removal first",
        "referral,removal\n2024-01-10,2024-01-09\n",
        "Line 2: the removal date 2024-01-09 is before the referral date 2024-01-10",
    ),
    ("empty", "", "The file is empty"),
    ("header only", "referral,removal\n", "a header row but no referrals"),
    ("not UTF-8", "referral,removal\n2024-01-01,\n# café\n".encode("cp1252"), "not UTF-8"),
    ("over 5 MB", b"referral,removal\n" + b"2024-01-01,\n" * 460_000, "the limit is 5 MB"),
    ("nobody removed", "referral,removal\n2024-01-01,\n2024-01-02,\n",
     "Nobody in the file has a removal date"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "words"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_get_a_form_error_on_the_page(client, case, content, words):
    response = client.post(PAGE, {"waiting_list": csv_file(content), "target_wait": "18"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#file-waiting_list"' in html
    assert words in text_of(html)
    assert 'name="target_wait" value="18"' in html  # what was typed is kept


@pytest.mark.parametrize(("case", "content", "words"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_get_a_400_with_the_reason_in_the_api(client, case, content, words):
    response = client.post(API, {"waiting_list": csv_file(content), "target_wait": "18"})
    assert response.status_code == 400
    body = response.json()
    assert words in body["error"] and words in body["errors"]["waiting_list"]


def test_bad_pasted_dates_keep_the_pasted_text(client):
    pasted = "2024-01-01\t\n<script>\t\n"
    response = client.post(PAGE, {"pasted": pasted, "target_wait": "18"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 2: “&lt;script&gt;” is not a date we can read" in html
    assert "2024-01-01\t\n&lt;script&gt;" in html  # back in the textarea, escaped
    assert "<script>\t" not in html


def test_nothing_sent_and_a_bad_target_with_a_file(client):
    response = client.post(PAGE, {"target_wait": "18"})
    assert response.status_code == 400
    assert "Choose a waiting list file, or paste two columns of dates." in text_of(
        response.content.decode()
    )
    response = client.post(PAGE, {"waiting_list": csv_file(KNOWN), "target_wait": "nan"})
    assert response.status_code == 400
    assert "The target wait must be a number" in text_of(response.content.decode())


def test_too_much_pasted_text_gets_the_form_back_with_the_reason(client):
    pasted = "2024-01-01\t2024-01-02\n" * 60_000  # 1.3 MB, over the 1 MB a form may post
    response = client.post(PAGE, {"pasted": pasted, "target_wait": "18"})
    assert response.status_code == 400
    assert "too much to paste" in response.content.decode()


# --- The API ----------------------------------------------------------------------------


def test_api_get_gives_the_figures():
    from django.test import Client

    body = (
        Client().get(API, {"demand": 30, "capacity": 27, "target_wait": 52, "queue": 1200}).json()
    )
    assert body["target_queue_size"] == 390
    assert body["relief_capacity"] == pytest.approx(61.153846)
    assert body["load"] == pytest.approx(30 / 27) and body["weekly_change"] == 3
    assert body["target_mean_wait"] == 13
    assert body["target_capacity"] == pytest.approx(30 + 4 / 52)
    assert body["queue_too_big"] is True
    assert "pressure" not in body


def test_api_options_change_the_figures(client):
    body = client.get(
        API,
        {"demand": 30, "capacity": 27, "target_wait": 52, "factor": 3, "cv_demand": 1.1,
         "cv_capacity": 1.2, "mean_wait": 63, "queue": 1200, "time_to_target": 13},
    ).json()  # fmt: skip
    assert body["target_capacity"] == pytest.approx(30.076442)
    assert body["pressure"] == pytest.approx(2.42307692)
    assert body["relief_capacity"] == pytest.approx(30 + (1200 - 520) / 13)


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"capacity": "27", "target_wait": "18"}, "demand", "Demand per week is missing"),
        ({"demand": "x", "capacity": "27", "target_wait": "18"}, "demand", "must be a number"),
        ({"demand": "30", "capacity": "0", "target_wait": "18"}, "capacity", "more than 0"),
        ({"demand": "30", "capacity": "-2", "target_wait": "18"}, "capacity", "more than 0"),
        ({"demand": "30", "capacity": "27", "target_wait": "0"}, "target_wait", "more than 0"),
        ({"demand": "nan", "capacity": "27", "target_wait": "18"}, "demand", "must be a number"),
        ({"demand": "1e400", "capacity": "27", "target_wait": "18"}, "demand", "too large"),
        (
            {"demand": "30", "capacity": "27", "target_wait": "18", "factor": "inf"},
            "factor",
            "too large",
        ),
    ],
)
def test_api_bad_numbers_get_a_400_with_the_reason(client, params, field, words):
    response = client.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert words in body["errors"][field] and words in body["error"]


def test_api_post_a_file():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        API, {"waiting_list": csv_file(KNOWN), "target_wait": "4"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == "2024-01-01" and body["end"] == "2024-01-14"
    assert body["weeks"] == 2 and body["demand"] == 2.5 and body["capacity"] == 1.5
    assert body["queue"] == 2 and body["mean_wait"] == 1
    assert body["cv_demand"] == pytest.approx((4.75 / 3) ** 0.5 / 2.25)
    assert body["cv_capacity"] == pytest.approx(2**0.5 / 3)
    assert body["target_queue_size"] == 2.5  # 2.5 x 4 / 4
    assert body["queue_too_big"] is False
    assert body["pressure"] == 0.5  # 2 x 1 / 4
    assert body["warnings"] == []


def test_api_post_needs_a_file_and_a_target(client):
    response = client.post(API, {"target_wait": "18"})
    assert response.status_code == 400 and "waiting_list" in response.json()["error"]
    response = client.post(API, {"waiting_list": csv_file(KNOWN)})
    assert response.status_code == 400
    assert "The target wait is missing" in response.json()["errors"]["target_wait"]


# --- Links to the calculator --------------------------------------------------------------


def test_the_guide_and_its_tools_link_to_the_calculator_with_their_numbers(client):
    worked = Section.objects.get(
        guide__slug="matching-capacity-and-demand", anchor="worked-example"
    )
    how = Section.objects.get(guide__slug="matching-capacity-and-demand", anchor="how-to-do-it")
    assert 'href="/capacity/"' in how.html
    holders = [worked.html] + [
        Tool.objects.get(slug=slug).html
        for slug in ("capacity-and-demand-analysis", "demand-and-capacity-tables")
    ]
    for html in holders:
        links = [unescape(h) for h in re.findall(r'href="(/capacity/\?[^"]+)"', html)]
        assert len(links) == 1
        page = client.get(links[0]).content.decode()
        assert "The answer" in page and "There is a problem" not in page
    worked_link = unescape(re.search(r'href="(/capacity/\?[^"]+)"', worked.html).group(1))
    words = text_of(client.get(worked_link).content.decode())
    assert "About 48 people join the list each week and you see about 45." in words
    assert "no more than about 192" in words


def test_the_home_page_links_to_the_calculator(client):
    assert 'href="/capacity/"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"demand": "1e9", "capacity": "0.001", "target_wait": "0.001", "queue": "1e9",
         "mean_wait": "1e9", "factor": "0.001", "cv_demand": "1e9", "time_to_target": "1e9"},
        {"demand": "0", "capacity": "5", "target_wait": "18", "queue": "0", "mean_wait": "0"},
        {"demand": "0.4", "capacity": "0.3", "target_wait": "52", "queue": "3"},
    ],
)  # fmt: skip
def test_extreme_numbers_still_get_an_answer(client, params):
    response = client.get(PAGE, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The answer" in html and "There is a problem" not in html
    assert client.get(API, params).status_code == 200


def test_a_file_spanning_a_century_is_charted_in_its_latest_ten_years(client):
    text = "referral,removal\n1925-01-01,1925-02-01\n2024-01-01,\n2024-03-01,2024-03-05\n"
    response = client.post(PAGE, {"waiting_list": csv_file(text), "target_wait": "18"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The waiting list over 520 weeks of the file" in html
    assert "520 full weeks (the latest; 4,654 earlier weeks are left off)" in text_of(html)
    assert len(html) < 400_000


def test_without_a_list_size_there_is_no_projection(client):
    html = client.get(
        PAGE, {"demand": "30", "capacity": "27", "target_wait": "18"}
    ).content.decode()
    assert "The answer" in html and "<svg" not in html
    assert 'id="figure-relief_capacity"' not in html and "Your list is" not in html
