"""The run chart maker's page, downloads and JSON API, on the real glossary content."""

import io
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from PIL import Image

from guides.measurement.forms import MAX_ADDRESS_DATA
from guides.measurement.runchart import MAX_POINTS
from guides.measurement.views import EXAMPLE

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
PAGE = "/run-chart/"


def page_url(**params) -> str:
    return f"{PAGE}?{urlencode(params)}"


def inline_svg(html: str) -> ET.Element:
    match = re.search(r"<svg .*?</svg>", html, re.S)
    assert match, "no chart on the page"
    return ET.fromstring(match.group(0))


def text_of(html: str) -> str:
    """The page's words, without tags, for asserting what a reader sees."""
    blocks = r"</?(?:dt|dd|li|p|td|th|tr|div|h\d|ul|ol|dl|section|figure|figcaption|svg)\b[^>]*>"
    return " ".join(re.sub(r"<[^>]+>", "", re.sub(blocks, " ", html)).split())


def by_class(svg: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in svg.iter() if name in (e.get("class") or "").split()]


# --- The page ------------------------------------------------------------------------


def test_empty_page_shows_the_form_and_an_example(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Make a run chart or SPC chart</h1>" in html
    assert 'method="get"' in html
    assert '<label for="id_data">Your numbers, in time order</label>' in html
    assert 'type="file"' in html and 'formenctype="multipart/form-data"' in html
    assert "<svg" not in html
    assert escape(page_url(**EXAMPLE)) in html  # "Try it with an example"


def test_the_example_shows_a_shift_explained_in_plain_words(client):
    response = client.get(page_url(**EXAMPLE))
    assert response.status_code == 200
    html = response.content.decode()
    words = text_of(html)
    assert "Shift. Points 13 (Week 13) to 19 (Week 19): 6 points in a row all above" in words
    assert (
        "not counting 1 point on the line. This is a shift. Something has probably changed."
        in words
    )
    assert '<a href="/glossary/shift/">shift</a>' in html
    assert '<a href="/glossary/median/">median</a>' in html
    assert "Median 15 (of the first 12, the baseline)" in words
    assert "Runs 10 (between 5 and 12 expected by chance, from the published table)" in words
    # The change marker, in words as well as on the chart.
    assert "A, at point 13 (Week 13): board round at 8.30am" in words


def test_every_glossary_link_on_a_result_page_works(client):
    html = client.get(page_url(**{**EXAMPLE, "chart": "xmr"})).content.decode()
    html += client.get(page_url(**EXAMPLE)).content.decode()
    links = set(re.findall(r'href="(/glossary/[^"]+/)"', html))
    assert {"/glossary/shift/", "/glossary/median/", "/glossary/mean/"} <= links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_no_signal_says_what_that_means(client):
    data = "\n".join(str(v) for v in [12, 14, 15, 11, 13, 12, 16, 14, 11, 12, 15, 13])
    html = client.get(page_url(data=data)).content.decode()
    words = text_of(html)
    assert "No signals. The variation looks like the everyday ups and downs" in words
    assert "no evidence of change yet" in words
    assert '<a href="/glossary/common-cause-variation/">common-cause variation</a>' in html


def test_too_few_points_for_a_run_chart_warns(client):
    words = text_of(client.get(page_url(data="3\n5\n4\n6")).content.decode())
    assert "There are only 4 points. The run chart rules need at least 10 points" in words
    assert "With so few points, that may change as you collect more." in words


def test_too_few_points_for_xmr_limits_warns(client):
    data = "\n".join(str(v) for v in [10, 12, 11, 13, 12, 11, 10, 12, 11, 12])
    words = text_of(client.get(page_url(data=data, chart="xmr")).content.decode())
    assert "The limits are worked out from only 10 points. XmR limits need about 15 to 20" in words


def test_the_data_is_also_a_table(client):
    html = client.get(page_url(**EXAMPLE)).content.decode()
    table = html[html.index('<table class="rc-table">') : html.index("</table>")]
    assert '<th scope="col">Value</th>' in table
    assert table.count('<th scope="row">') == 19
    assert "<td>Week 13</td>" in table
    assert "Signal: shift. Change A: board round at 8.30am" in text_of(table)


def test_xmr_table_shows_moving_ranges(client):
    html = client.get(page_url(data="10\n12\n11\n14\n13", chart="xmr")).content.decode()
    words = text_of(html)
    assert "Moving range" in html
    assert "Process limits 7.35 to 16.66" in words  # 12 ± 2.66 × 1.75
    assert "Average moving range 1.75" in words


def test_xmr_signals_are_explained(client):
    values = [9, 11] * 10 + [30, 14, 12, 14]
    html = client.get(page_url(data="\n".join(map(str, values)), chart="xmr", baseline=20))
    words = text_of(html.content.decode())
    assert "Point 21 is above the upper process limit. This is special-cause variation" in words
    assert "two out of three points in a row are beyond the upper two-sigma line" in words


def test_anhoej_rules_can_be_chosen(client):
    values = [9, 1, 9, 1, 2, 1, 2, 1, 2, 1, 2, 8, 9, 1, 9, 8, 9, 8, 9, 8]
    words = text_of(
        client.get(page_url(data="\n".join(map(str, values)), rules="anhoej")).content.decode()
    )
    assert "8 points in a row all below the middle line" in words
    assert "longer than the 7 you would expect by chance" in words
    assert "Rules Anhøj rules" in words


def test_rules_that_do_not_fit_the_chart_are_replaced_with_a_message(client):
    words = text_of(client.get(page_url(data="1\n2\n3", chart="xmr", rules="ihi")).content.decode())
    assert "are not used on an XmR chart" in words
    assert "Making Data Count (seven-point rules)" in words


def test_astronomical_points_are_marked_only_by_the_user(client):
    data = "\n".join(str(v) for v in [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 90])
    html = client.get(page_url(data=data)).content.decode()
    assert by_class(inline_svg(html), "astronomical-point") == []
    assert (
        "astronomical point"
        not in text_of(html).split("What the chart shows")[1].split("The figures")[0]
    )
    html = client.get(page_url(data=data, astronomical="12")).content.decode()
    marks = by_class(inline_svg(html), "astronomical-point")
    assert [m.get("data-point") for m in marks] == ["11"]
    assert "You marked point 12 as an astronomical point" in text_of(html)
    assert '<a href="/glossary/astronomical-data-point/">astronomical point</a>' in html


def test_changes_that_match_no_point_are_reported(client):
    words = text_of(
        client.get(page_url(data="1\n2\n3", changes="Week 99: nothing")).content.decode()
    )
    assert "The change “Week 99: nothing” does not start with a point number or a label" in words


# --- The chart ------------------------------------------------------------------------


def test_inline_svg_is_valid_with_title_description_and_marked_signals(client):
    html = client.get(page_url(**EXAMPLE)).content.decode()
    svg = inline_svg(html)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "run-chart-title run-chart-desc"
    assert svg.find(f"{SVG}title").text == "Patients discharged before midday"
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith("Run chart of 19 points, from Week 1 to Week 19.")
    assert "The median of the first 12 points (the baseline) is 15." in desc
    assert "Signals: a shift (points 13 to 19)." in desc
    assert "Change A at point 13: board round at 8.30am." in desc
    # Signal points are drawn as diamonds (a shape, not only a colour), one per point.
    marked = by_class(svg, "signal-point")
    assert [int(m.get("data-point")) for m in marked] == [12, 13, 14, 16, 17, 18]
    assert all(m.tag == f"{SVG}polygon" for m in marked)
    plain = by_class(svg, "point")
    assert all(p.tag == f"{SVG}circle" for p in plain) and len(plain) == 13
    # Points joined in time order, the median, the baseline and the change marker.
    (line,) = by_class(svg, "data-line")
    xs = [float(p.split(",")[0]) for p in line.get("points").split()]
    assert len(xs) == 19 and xs == sorted(xs)
    assert len(by_class(svg, "centre")) == 2  # solid over the baseline, dashed after
    assert len(by_class(svg, "baseline")) == 1
    assert len(by_class(svg, "change-marker")) == 1


def test_xmr_chart_draws_limits_and_two_sigma_lines(client):
    html = client.get(page_url(data="10\n12\n11\n14\n13", chart="xmr")).content.decode()
    svg = inline_svg(html)
    assert len(by_class(svg, "limit")) == 2
    assert len(by_class(svg, "two-sigma")) == 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Upper limit 16.66" in texts and "Lower limit 7.35" in texts and "Mean 12" in texts


def test_svg_download_is_valid_and_escapes_what_people_typed(client):
    hostile = '<script>alert("x")</script> & ]]> "quoted"'
    params = {
        "data": hostile + "\t5\nb\t6\nc\t7",
        "title": hostile,
        "changes": "1: " + hostile,
        "units": hostile,
    }
    response = client.get(f"/run-chart/chart.svg?{urlencode(params)}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    svg = ET.fromstring(body.split("\n", 1)[1])
    assert not [e for e in svg.iter() if e.tag.endswith("script")]
    assert "<script>" not in body
    assert svg.find(f"{SVG}title").text == hostile


def test_page_escapes_what_people_typed(client):
    hostile = "<script>alert(1)</script>"
    html = client.get(page_url(data=f"{hostile}\t5\nb\t6", title=hostile)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    inline_svg(html)  # still valid XML


def test_png_download(client):
    response = client.get(f"/run-chart/chart.png?{urlencode(EXAMPLE)}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="patients-discharged-before-midday.png"'
    )
    image = Image.open(io.BytesIO(response.content))
    # Twice the size of the SVG, so that it stays sharp on a slide.
    svg = ET.fromstring(client.get(f"/run-chart/chart.svg?{urlencode(EXAMPLE)}").content)
    assert image.format == "PNG"
    assert image.size == (2 * int(svg.get("width")), 2 * int(svg.get("height")))
    # The signal triangles are drawn (no better direction: higher): their purple is there.
    assert (170, 122, 217) in {colour for _, colour in image.getcolors(1_000_000)}


def test_downloads_without_data_say_what_is_missing(client):
    for url in ("/run-chart/chart.svg", "/run-chart/chart.png", "/run-chart/chart.svg?data=abc"):
        response = client.get(url)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert response.content


# --- The address carries the data ----------------------------------------------------


def test_the_page_address_carries_the_data_and_the_downloads_too(client):
    url = page_url(**EXAMPLE)
    html = client.get(url).content.decode()
    assert "This page’s address carries your data: bookmark it" in text_of(html)
    svg_link = re.search(r'href="(/run-chart/chart\.svg\?[^"]+)"', html).group(1)
    query = parse_qs(urlsplit(svg_link.replace("&amp;", "&")).query)
    assert query["data"][0].startswith("Week 1\t14\nWeek 2\t16")
    assert query["baseline"] == ["12"]
    assert client.get(svg_link.replace("&amp;", "&")).status_code == 200


def test_too_much_data_for_the_address_is_refused_with_a_clear_message(client):
    data = "\n".join(f"Week {i}\t{i % 13}" for i in range(400))
    assert len(data) > MAX_ADDRESS_DATA
    response = client.get(page_url(data=data))
    assert response.status_code == 200
    words = text_of(response.content.decode())
    assert "There is a problem" in words
    assert (
        "That is too much data to keep in the page’s address "
        f"({len(data):,} characters; the limit is 3,000)" in words
    )
    assert "Upload the file and draw" in words
    assert "<svg" not in response.content.decode()


def test_a_chosen_file_with_the_draw_button_explains_the_upload_button(client):
    words = text_of(client.get(page_url(data="", file="figures.csv")).content.decode())
    assert "To use the file you chose, press “Upload the file and draw”." in words


# --- Uploads ---------------------------------------------------------------------------


def upload(client, content: bytes, **fields):
    file = SimpleUploadedFile("figures.csv", content, content_type="text/csv")
    return client.post(PAGE, {"file": file, "upload": "1", **fields})


def test_uploading_a_csv_draws_the_chart_and_links_to_its_own_address(client):
    response = upload(
        client, b'\xef\xbb\xbfMonth,Waiting days\nJan,12\nFeb,15\nMar,"1,100"\n', chart="xmr"
    )
    assert response.status_code == 200
    html = response.content.decode()
    svg = inline_svg(html)
    assert svg.find(f"{SVG}desc").text.startswith("XmR chart of 3 points, from Jan to Mar.")
    share = re.search(r'<a href="(/run-chart/\?[^"]+)">this chart’s own address</a>', html).group(1)
    again = client.get(share.replace("&amp;", "&"))
    assert "XmR chart of 3 points" in again.content.decode()
    # The form below now holds the data, so the next change is drawn by address.
    assert "Jan\t12\nFeb\t15\nMar\t1100</textarea>" in html
    assert re.search(r'<input[^>]*value="xmr"[^>]*checked', html)
    # The value column's heading becomes the measure's name on the chart.
    assert "Waiting days" in [t.text for t in svg.iter(f"{SVG}text")]


def test_uploading_ten_thousand_points_caps_them_and_offers_posted_downloads(client):
    content = "\n".join(f"Day {i},{i % 23}" for i in range(10_000)).encode()
    response = upload(client, content)
    assert response.status_code == 200
    html = response.content.decode()
    words = text_of(html)
    assert "There were 10,000 points: only the first 1,000 are used." in words
    assert "too much data to keep in a page address, so this chart cannot be bookmarked" in words
    assert inline_svg(html).find(f"{SVG}desc").text.startswith("Run chart of 1000 points")
    # The downloads post the data back instead of carrying it in a link.
    form = re.search(r'<form method="post" action="/run-chart/chart.svg">(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)))
    assert fields["data"].count("\n") == MAX_POINTS - 1
    response = client.post("/run-chart/chart.svg", {k: unescape(v) for k, v in fields.items()})
    assert response.status_code == 200
    ET.fromstring(response.content.decode().split("\n", 1)[1])


def test_uploading_something_that_is_not_csv(client):
    response = upload(client, b"\x89PNG\r\n\x1a\n\0\0\0binary")
    assert response.status_code == 400
    assert "That file is not a CSV or text file." in text_of(response.content.decode())


def test_uploading_a_file_with_no_numbers(client):
    response = upload(client, b"name,notes\nfoo,bar\n")
    assert response.status_code == 400
    assert "We could not find any numbers in that file." in text_of(response.content.decode())


# --- Bad input never errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"data": "abc\ndef"}, "We could not find any numbers in your data."),
        ({"data": "\n\n  \n"}, "Enter or paste some numbers, or choose a CSV file."),
        ({"data": "Week 1\t1,234\nWeek 2\t2,345\nWeek 3\t1,999"}, "Points 3"),
        ({"data": "12%\n15%\n9%"}, "Units and symbols such as “%” were ignored"),
        ({"data": "5"}, "There is only 1 point."),
        (
            {"data": "\n".join(["7"] * 20), "chart": "xmr"},
            "there is no variation to work out limits from",
        ),
        ({"data": "\n".join(["7"] * 20)}, "Every point is on the median"),
        ({"data": "1\n2\nn/a\n4"}, "Line 3: “n/a” is not a number, so it was left out."),
        ({"data": "1\n2\n3", "baseline": "abc"}, "The baseline must be a whole number of points"),
        ({"data": "1\n2\n3", "baseline": "0"}, "The baseline must be at least 1 point"),
        (
            {"data": "1\n2\n3", "baseline": "50"},
            "The baseline was set to 50 points but there are only 3",
        ),
        ({"data": "1\n2\n3", "chart": "pie"}, "Choose a run chart or an XmR chart."),
        ({"data": "1\n2\n3", "rules": "zzz"}, "Choose one of the rule sets in the list."),
        ({"data": "1\n2\n3", "astronomical": "x, 99"}, "“x” is not a point number or a label"),
        ({"data": "1\n2\n3", "title": "t" * 200}, "Keep the title to 120 characters."),
    ],
)
def test_bad_input_gives_a_clear_message(client, params, expected):
    response = client.get(page_url(**params))
    assert response.status_code == 200
    assert expected in text_of(response.content.decode())


def test_field_errors_are_summarised_and_linked_to_their_fields(client):
    html = client.get(page_url(data="abc", baseline="0")).content.decode()
    assert 'role="alert"' in html
    assert (
        '<a href="#id_baseline">The baseline must be at least 1 point, or leave it empty.</a>'
        in html
    )
    assert 'id="id_baseline_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="id_baseline_helptext id_baseline_error"', html)
    baseline = re.search(r'<input[^>]*id="id_baseline"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in baseline


# --- Queries --------------------------------------------------------------------------------


def test_the_page_makes_one_query_however_many_points(client, django_assert_max_num_queries):
    counts = []
    for n in (12, 600):
        data = ",".join(str(i % 7) for i in range(n))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(data=data)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(1):
        client.get(page_url(**EXAMPLE))
    with django_assert_max_num_queries(0):
        client.get(PAGE)


# --- The JSON API ---------------------------------------------------------------------------


def test_api_run_chart_shape(client):
    response = client.get("/api/run-chart/?values=1,2,3,4,5,6,7,8,9,10&chart=run&rules=ihi")
    assert response.status_code == 200
    data = response.json()
    assert data["centre"] == 5.5
    assert data["limits"] is None
    assert data["runs"] == 2
    assert data["runs_expected"] == {"low": 3, "high": 9}
    assert data["signals"] == [
        {"rule": "trend", "points": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]},
        {"rule": "runs", "points": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]},
    ]
    for signal in data["signals"]:
        assert set(signal) == {"rule", "points"}


def test_api_xmr_with_a_baseline(client):
    values = ",".join(map(str, [9, 11] * 10 + [30, 14, 12, 14]))
    data = client.get(f"/api/run-chart/?values={values}&chart=xmr&baseline=20").json()
    assert data["centre"] == 10
    assert data["limits"] == {
        "upper": 15.32,
        "lower": 4.68,
        "upper_two_sigma": 13.54666667,
        "lower_two_sigma": 6.453333333,
    }
    assert data["runs_expected"] is None
    assert {"rule": "outside-limits", "points": [20]} in data["signals"]
    # 30 is beyond the limit, so not "near" it (NHSRplotthedots): 21 and 23 are.
    assert {"rule": "two-of-three", "points": [21, 23]} in data["signals"]
    assert data["rules"] == "mdc7"


def test_api_mdc6_and_anhoej(client):
    values = ",".join(map(str, [9, 11] * 10 + [9, 11, 12, 11, 12, 11, 12, 9]))
    six = client.get(f"/api/run-chart/?values={values}&chart=xmr&baseline=20&rules=mdc6").json()
    assert {"rule": "shift", "points": [21, 22, 23, 24, 25, 26]} in six["signals"]
    seven = client.get(f"/api/run-chart/?values={values}&chart=xmr&baseline=20&rules=mdc7").json()
    assert all(s["rule"] != "shift" for s in seven["signals"])
    anhoej = client.get(
        "/api/run-chart/?values=1,2,1,2,9,8,9,8,1,2,1,9,8,9,2,1,2,8,9,8&rules=anhoej"
    ).json()
    assert anhoej["runs_expected"] == {"low": 7, "high": None}
    assert anhoej["signals"] == [{"rule": "runs", "points": list(range(20))}]


def test_api_bad_input(client):
    response = client.get("/api/run-chart/")
    assert response.status_code == 400
    assert "Give the values in time order" in response.json()["error"]
    response = client.get("/api/run-chart/?values=a,b")
    assert (
        response.status_code == 400
        and response.json()["error"] == "No numbers were found in values."
    )
    data = client.get(
        "/api/run-chart/?values=3,x,5&chart=pie&rules=mdc7&baseline=q&astronomical=z,9"
    ).json()
    warnings = " ".join(data["warnings"])
    assert "Value 2: “x” is not a number" in warnings
    assert "“pie” is not a chart type" in warnings
    assert "baseline “q” is not a whole number" in warnings
    assert "astronomical takes zero-based point numbers" in warnings
    assert data["chart"] == "run" and data["count"] == 2


def test_api_caps_ten_thousand_values(client):
    values = ",".join(str(i % 9) for i in range(10_000))
    data = client.get(f"/api/run-chart/?values={values}").json()
    assert data["count"] == MAX_POINTS == len(data["points"])
    assert "There were 10,000 points: only the first 1,000 are used." in data["warnings"][0]


def test_api_all_equal_values(client):
    data = client.get("/api/run-chart/?values=" + ",".join(["4"] * 20) + "&chart=xmr").json()
    assert data["limits"]["upper"] == data["limits"]["lower"] == 4
    assert data["signals"] == []


# --- Print --------------------------------------------------------------------------------


def test_print_styles_hide_the_form_and_keep_the_chart(client):
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css"), encoding="utf-8").read()
    block = css[css.index("/* == Run chart maker == */") :]
    printing = block[block.index("@media print") :]
    assert ".rc-form-section" in printing and "display: none" in printing
    assert ".rc-figure" in printing and "break-inside: avoid" in printing
