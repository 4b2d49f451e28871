"""Bad and extreme inputs to the chart maker never error: a clear message, the data kept.

The first two tests reproduce issue 19's finding: a value of 0.000000000001, or one of
31 digits, gave a 500 on the page, the SVG and the PNG (a decimal.InvalidOperation in
the number formatting and a zero span on the value axis).
"""

import pytest

from guides.measurement.charts import nice_ticks
from guides.measurement.runchart import analyse, format_number, parse_data, parse_values

pytestmark = pytest.mark.django_db

THIRTY_ONE = "1234567890123456789012345678901"
EXTREMES = [
    "0.000000000001",
    "0.000000000001\n0.000000000001\n0.000000000002",
    THIRTY_ONE,
    f"{THIRTY_ONE}\n5\n6",
    "1\n1.000000000000001\n1",
    "999999999999999\n-999999999999999",
]


@pytest.mark.parametrize("data", EXTREMES)
@pytest.mark.parametrize("chart", ["run", "xmr"])
@pytest.mark.parametrize("path", ["/run-chart/", "/run-chart/chart.svg", "/run-chart/chart.png"])
def test_extreme_values_never_give_a_500(client, path, chart, data):
    response = client.get(path, {"data": data, "chart": chart})
    assert response.status_code in (200, 400), response.status_code
    if path == "/run-chart/":
        html = response.content.decode()
        assert data.split("\n")[0] in html  # the data is kept in the form


def test_a_value_too_large_to_chart_is_left_out_with_a_message(client):
    response = client.get("/run-chart/", {"data": f"{THIRTY_ONE}\n5\n6\n7"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "too large to chart" in html
    assert THIRTY_ONE in html  # still in the form to correct
    parsed = parse_data(f"{THIRTY_ONE}\n5")
    assert parsed.values == [5.0]
    assert any("too large to chart" in m for m in parsed.messages)
    assert parse_values(f"1,{THIRTY_ONE}").values == [1.0]


def test_only_values_too_large_is_a_clear_form_error(client):
    response = client.get("/run-chart/", {"data": THIRTY_ONE})
    html = response.content.decode()
    assert response.status_code == 200
    assert "too large to chart" in html and THIRTY_ONE in html
    assert client.get("/run-chart/chart.svg", {"data": THIRTY_ONE}).status_code == 400


def test_tiny_values_are_drawn_on_a_scale_that_spreads_them():
    ticks = nice_ticks(0.000000000001, 0.000000000003)
    assert len(set(ticks)) == len(ticks) > 2
    assert ticks[0] <= 1e-12 and ticks[-1] >= 3e-12
    flat = nice_ticks(1e-12, 1e-12)
    assert len(set(flat)) == len(flat) > 1 and flat[0] <= 1e-12 <= flat[-1]
    close = nice_ticks(1.0, 1.000000000000001)
    assert len(set(close)) == len(close) > 1 and len(close) < 20


def test_format_number_never_raises_on_extreme_values():
    assert format_number(0.000000000001) == "0.000000000001"
    assert format_number(1e15) == "1,000,000,000,000,000"
    assert format_number(1.5e20) == "150,000,000,000,000,000,000"
    assert format_number(-2.5e-300) != ""


@pytest.mark.parametrize(
    "values",
    [[1e-12], [1e-12] * 20, [1e15, -1e15] * 10, [5.0] * 30, [7.0]],
)
def test_analysis_of_extreme_series_is_finite(values):
    for chart in ("run", "xmr"):
        analysis = analyse(values, chart=chart)
        assert analysis.centre is not None
        if analysis.limits:
            assert all(
                abs(v) < float("inf") for v in (analysis.limits.upper, analysis.limits.lower)
            )
