"""The Making Data Count settings on the chart maker's page, its drawings and the API."""

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
STEADY = [9, 11] * 10
TWO_LEVELS = [9, 11] * 5 + [19, 21] * 5


def api(**params):
    return f"/api/run-chart/?{urlencode(params)}"


def values(series):
    return ",".join(str(v) for v in series)


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", html, re.S)]


def by_class(svg: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in svg.iter() if name in (e.get("class") or "").split()]


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- The API contract ---------------------------------------------------------------------


def test_api_phases_points_variation_and_assurance(client):
    data = client.get(
        api(
            values=values([*TWO_LEVELS, 30]),
            chart="xmr",
            rebase="10",
            direction="increase",
            target="16",
        )
    ).json()
    assert data["count"] == 21
    assert data["direction"] == "increase" and data["target"] == 16
    assert [(p["start"], p["end"]) for p in data["phases"]] == [(0, 9), (10, 20)]
    for phase in data["phases"]:
        assert {"start", "end", "centre", "upper", "lower", "near_upper", "near_lower"} <= set(
            phase
        )
    assert data["phases"][0]["centre"] == 10 and data["phases"][0]["upper"] == 15.32
    assert data["points"][0] == {"index": 0, "phase": 0, "type": "common_cause"}
    assert data["points"][10] == {"index": 10, "phase": 1, "type": "common_cause"}
    # 30 is beyond phase 2's upper limit, and higher is better.
    assert data["points"][20]["type"] == "special_cause_improvement"
    assert data["variation"] == "special_cause_improvement"
    assert data["assurance"] in ("inconsistent", "consistent_pass", "consistent_fail")
    assert data["warnings"] == [] or all(isinstance(w, str) for w in data["warnings"])


def test_api_defaults_neutral_no_target_no_assurance(client):
    data = client.get(api(values=values([*STEADY, 16]), chart="xmr", baseline="20")).json()
    assert data["direction"] == "neutral" and data["target"] is None
    assert data["assurance"] is None
    assert data["variation"] == "special_cause_neutral_high"
    assert len(data["phases"]) == 1 and data["phases"][0]["baseline"] == 20


def test_api_baseline_per_phase_and_screening(client):
    series = [9, 11, 9, 11, 20, 29, 31, 29, 31, 40]
    data = client.get(api(values=values(series), chart="xmr", rebase="5", baseline="4")).json()
    assert [p["centre"] for p in data["phases"]] == [10, 30]
    assert [p["type"] for p in data["points"]].count("special_cause_neutral_high") == 2
    screened = [10, 12] * 10
    screened[9] = 40
    plain = client.get(api(values=values(screened), chart="xmr")).json()
    on = client.get(api(values=values(screened), chart="xmr", screen="1")).json()
    assert on["screen"] is True and plain["screen"] is False
    assert on["phases"][0]["average_moving_range"] == 2
    assert plain["phases"][0]["average_moving_range"] == pytest.approx(94 / 19, abs=1e-6)


def test_api_run_chart_phases(client):
    series = [4, 6, 5, 3, 7, 5, 4, 6, 5, 6, 14, 16, 15, 13, 17, 15, 14, 16, 15, 16]
    data = client.get(api(values=values(series), rebase="10")).json()
    assert [p["centre"] for p in data["phases"]] == [5, 15]
    assert data["phases"][0]["upper"] is None  # a run chart has no limits
    assert data["signals"] == []


@pytest.mark.parametrize(
    ("params", "warning"),
    [
        ({"rebase": "99"}, "A new phase can only start at a point within the data"),
        ({"rebase": "x"}, "rebase takes the zero-based numbers"),
        ({"target": "abc"}, "The target “abc” is not a number"),
        ({"target": "1e400"}, "is not a number"),
        ({"direction": "up"}, "direction “up” is not increase, decrease or neutral"),
        ({"screen": "maybe"}, "screen takes 1 or 0"),
        ({"baseline": "0"}, "A baseline needs at least one point"),
    ],
)
def test_api_bad_settings_are_warnings_never_errors(client, params, warning):
    response = client.get(api(values=values(STEADY), chart="xmr", **params))
    assert response.status_code == 200
    data = response.json()
    assert any(warning in w for w in data["warnings"]), data["warnings"]
    assert data["count"] == 20


def test_api_one_point_and_all_equal(client):
    one = client.get(api(values="7", chart="xmr", target="5", direction="increase")).json()
    assert one["count"] == 1 and one["phases"][0]["upper"] is None and one["assurance"] is None
    flat = client.get(api(values=values([4] * 20), chart="xmr", target="4", direction="increase"))
    assert flat.json()["assurance"] == "inconsistent"


def test_api_value_1e400_is_not_a_number(client):
    data = client.get(api(values="1e400,5,6")).json()
    assert data["count"] == 2


# --- The page -------------------------------------------------------------------------------

XMR = {
    "data": "\n".join(f"Wk {i + 1}\t{v}" for i, v in enumerate([*TWO_LEVELS, 30])),
    "chart": "xmr",
    "direction": "increase",
    "target": "16",
    "rebase": "Wk 11",
    "title": "Seen within 4 hours",
}


def test_the_page_takes_the_same_settings(client):
    response = client.get(f"/run-chart/?{urlencode(XMR)}")
    assert response.status_code == 200
    html = response.content.decode()
    text = words(html)
    assert "Phase 1 points 1 to 10: mean 10, limits 4.68 to 15.32" in text
    assert "Phase 2 points 11 to 21: mean" in text
    assert "Which way is better Higher is better" in text and "Target 16" in text
    # The symbols beside the chart, each with its words.
    assert "Special cause improvement: the latest points show a real change for the better." in text
    icons = [s for s in svgs(html) if "rc-icon" in (s.get("class") or "")]
    assert [i.get("aria-label") for i in icons][0].startswith("Special cause improvement")
    assert all(i.find(f"{SVG}title") is not None for i in icons)
    # The chart draws each phase's lines, where the new phase starts, and the target.
    chart = svgs(html)[0]
    assert len(by_class(chart, "centre")) == 2 and len(by_class(chart, "limit")) == 4
    assert len(by_class(chart, "phase")) == 1 and len(by_class(chart, "target")) == 1
    marked = by_class(chart, "type-special_cause_improvement")
    assert [m.get("data-point") for m in marked] == ["20"]
    # The description read out in place of the picture names the point's type too.
    assert "Special cause: improvement: point 21." in chart.find(f"{SVG}desc").text
    assert "2 phases: new ones start at point 11" in chart.find(f"{SVG}desc").text
    texts = [t.text for t in chart.iter(f"{SVG}text")]
    assert "Special cause: improvement" in texts and "Target 16" in texts
    # The form keeps what was asked for.
    assert re.search(r'name="direction" value="increase"[^>]*checked', html)
    assert 'name="target" value="16"' in html
    # The table says each point's phase and its type.
    assert "Special cause: improvement." in text


def test_the_downloads_carry_the_settings(client):
    response = client.get(f"/run-chart/chart.svg?{urlencode(XMR)}")
    svg = ET.fromstring(response.content)
    assert len(by_class(svg, "phase")) == 1 and len(by_class(svg, "target")) == 1
    assert client.get(f"/run-chart/chart.png?{urlencode(XMR)}").status_code == 200


def test_the_page_address_keeps_the_settings(client):
    html = client.get("/run-chart/", {**XMR, "screen": "on"}).content.decode()
    match = re.search(r'href="(/run-chart/chart\.svg\?[^"]+)"', html)
    link = match.group(1).replace("&amp;", "&")
    for part in ("direction=increase", "target=16", "rebase=Wk+11", "screen=1"):
        assert part in link


def test_a_phone_gets_a_narrower_drawing_of_the_same_chart(client):
    html = client.get(f"/run-chart/?{urlencode(XMR)}").content.decode()
    wide, phone = [s for s in svgs(html) if "run-chart-svg" in (s.get("class") or "")]
    assert wide.get("viewBox") == "0 0 800 " + wide.get("height")
    assert phone.get("viewBox").startswith("0 0 420 ")
    assert phone.get("aria-labelledby") == "run-chart-phone-title run-chart-phone-desc"
    assert by_class(phone, "target") and by_class(phone, "phase")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"target": "abc"}, "The target must be a number, such as 95"),
        ({"target": "1e400"}, "The target must be a number, such as 95"),
        ({"baseline": "0"}, "The baseline must be at least 1 point"),
        ({"direction": "sideways"}, "Choose higher is better, lower is better, or neither."),
    ],
)
def test_bad_settings_on_the_page_are_clear_and_keep_the_data(client, params, message):
    response = client.get("/run-chart/", {**XMR, **params})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Wk 21\t30" in html  # the data is still in the form


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rebase": "Wk 99"}, "so it was not used as the start of a new phase"),
        ({"data": "7"}, "Process limits need at least 2 points"),
        ({"data": "\n".join(["4"] * 20)}, "no variation"),
    ],
)
def test_odd_settings_draw_the_chart_with_a_message(client, params, message):
    response = client.get("/run-chart/", {**XMR, **params})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "<svg" in html


def test_the_page_says_where_the_runs_limits_come_from(client):
    thirty = [(i * 7) % 31 for i in range(1, 31)]  # 1 to 30 in a mixed order: 30 useful
    text = words(client.get("/run-chart/", {"data": "\n".join(map(str, thirty))}).content.decode())
    assert "worked out exactly: the published table's value for this many points could not " in (
        text.replace("&#x27;", "'")
    )
    twenty = [(i * 3) % 21 for i in range(1, 21)]  # 1 to 20: 20 useful, a table row
    text = words(client.get("/run-chart/", {"data": "\n".join(map(str, twenty))}).content.decode())
    assert "expected by chance, from the published table)" in text
    assert "Perla, Provost and Murray, 2011, for 10 to 60 points" in text
