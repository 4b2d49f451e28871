"""The run chart and XmR rules, as plain Python, point by point (no database, no Django)."""

import itertools
import math
from fractions import Fraction
from functools import cache

import pytest

from guides.measurement.runchart import (
    MAX_POINTS,
    analyse,
    anhoej_crossings_limit,
    anhoej_longest_run_limit,
    explain,
    find_shifts,
    find_trends,
    format_number,
    mean,
    median,
    moving_ranges,
    no_signal_parts,
    on_centre,
    parse_changes,
    parse_data,
    parse_number,
    parse_point_list,
    parse_values,
    runs_about,
    runs_distribution,
    runs_limits,
    runs_limits_exact,
    xmr_limits,
)


def rules(analysis, rule):
    return [s for s in analysis.signals if s.rule == rule]


# --- Reading data ----------------------------------------------------------------------


def test_two_columns_pasted_from_a_spreadsheet():
    parsed = parse_data("Jan 2024\t12\nFeb 2024\t15\nMar 2024\t9\n")
    assert parsed.labels == ["Jan 2024", "Feb 2024", "Mar 2024"]
    assert parsed.values == [12, 15, 9]
    assert parsed.messages == []


def test_csv_with_a_header_row_and_quoted_thousands():
    parsed = parse_data('Week,Referrals\n1,"1,234"\n2,"1,500.5"\n')
    assert parsed.headers == ("Week", "Referrals")
    assert parsed.values == [1234, 1500.5]
    assert parsed.labels == ["1", "2"]
    assert parsed.messages == []  # a heading is not a problem


def test_an_unquoted_thousands_separator_in_a_csv_row_is_put_back_together():
    parsed = parse_data("Week 1,1,234\nWeek 2,2,345,678\nWeek 3,950")
    assert parsed.values == [1234, 2345678, 950]


def test_values_with_units_or_symbols_are_read_with_a_message():
    parsed = parse_data("a\t12%\nb\t45 mins\nc\t£1,200\nd\t−3.5\ne\t0.5 days")
    assert parsed.values == [12, 45, 1200, -3.5, 0.5]
    assert any("“%” were ignored" in m for m in parsed.messages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234", 1234.0),
        ("1 234", 1234.0),
        ("12,5", 12.5),  # a decimal comma
        ("12,500", 12500.0),  # a thousands separator, not a decimal comma
        ("-7", -7.0),
        ("+7", 7.0),
        (".5", 0.5),
        ("12.", 12.0),
        ("  15  ", 15.0),
        ('"15"', 15.0),
    ],
)
def test_parse_number_reads(text, expected):
    assert parse_number(text)[0] == expected


@pytest.mark.parametrize(
    "text", ["", "n/a", "abc", "nan", "inf", "1.2.3", "--5", "1e5", "(5)", "12-15", "x" * 60]
)
def test_parse_number_refuses(text):
    assert parse_number(text) is None


def test_non_numbers_are_left_out_and_named_by_line():
    parsed = parse_data("Week 1\t12\nWeek 2\tn/a\n\nWeek 4\t\nWeek 5\t14")
    assert parsed.values == [12, 14]
    assert parsed.messages == [
        "Line 2: “n/a” is not a number, so it was left out.",
        "Line 4 has no value, so it was left out.",
    ]


def test_many_non_numbers_are_summarised_after_five():
    parsed = parse_data("1\n" + "\n".join(f"bad{i}" for i in range(12)))
    assert parsed.values == [1]
    assert len(parsed.messages) == 6
    assert parsed.messages[-1] == "7 more entries were not numbers and were left out."


def test_blank_lines_and_windows_line_endings_are_ignored():
    parsed = parse_data("\r\n12\r\n\r\n\r\n15\r\n  \r\n9\r\n")
    assert parsed.values == [12, 15, 9]
    assert parsed.messages == []


def test_one_line_of_values_is_a_list():
    assert parse_data("3, 5, 4, 6").values == [3, 5, 4, 6]
    assert parse_data("3 5 4").values == [3, 5, 4]
    assert parse_data("3;5").values == [3, 5]


def test_a_row_pasted_sideways_is_read_across():
    parsed = parse_data("Jan\tFeb\tMar\tApr\n12\t15\t14\t9")
    assert parsed.labels == ["Jan", "Feb", "Mar", "Apr"]
    assert parsed.values == [12, 15, 14, 9]


def test_extra_columns_are_dropped_with_a_message():
    parsed = parse_data("a\t1\tnote\nb\t2\tnote")
    assert parsed.values == [1, 2]
    assert "Only the first two columns (label and value) are used." in parsed.messages


def test_one_point_is_read():
    parsed = parse_data("42")
    assert parsed.values == [42]


def test_nothing_to_read():
    assert parse_data("").points == []
    assert parse_data("\n \n").points == []
    assert parse_data("no numbers here\nnone").points == []


def test_ten_thousand_points_are_capped_with_a_message():
    parsed = parse_data("\n".join(str(i % 17) for i in range(10_000)))
    assert len(parsed.points) == MAX_POINTS
    assert parsed.capped_from == 10_000
    assert parsed.messages == [
        "There were 10,000 points: only the first 1,000 are used. A chart with more points "
        "than that is hard to read; try weekly or monthly figures instead."
    ]
    assert len(parse_values(",".join(["1"] * 10_000)).points) == MAX_POINTS


def test_long_labels_are_clipped():
    parsed = parse_data("x" * 100 + "\t5")
    assert len(parsed.labels[0]) == 40 and parsed.labels[0].endswith("…")


def test_api_value_lists_name_their_bad_values_by_position():
    parsed = parse_values("3,five,4,,6")
    assert parsed.values == [3, 4, 6]
    assert parsed.messages == ["Value 2: “five” is not a number, so it was left out."]


# --- Arithmetic --------------------------------------------------------------------------


def test_median_mean_and_moving_ranges():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert median([1, 2, 3, 4, 1000]) == 3  # one wild value does not move it
    assert mean([1, 2, 3, 4]) == 2.5
    assert moving_ranges([10, 12, 11, 14, 13]) == [2, 1, 3, 1]


def test_a_point_on_a_median_of_decimals_counts_as_on_it():
    centre = median([87.1, 87.3])
    assert centre != 87.2  # binary arithmetic
    assert on_centre(87.2, centre)


def test_xmr_limits_checked_by_hand():
    # Mean 60 / 5 = 12. Moving ranges 2, 1, 3, 1: average 7 / 4 = 1.75.
    # Limits 12 ± 2.66 × 1.75 = 12 ± 4.655; two-sigma lines 12 ± (2/3)(4.655) = 12 ± 3.10333.
    limits = xmr_limits([10, 12, 11, 14, 13])
    assert limits.centre == 12
    assert limits.average_moving_range == 1.75
    assert limits.upper == pytest.approx(16.655)
    assert limits.lower == pytest.approx(7.345)
    assert limits.upper_two_sigma == pytest.approx(15.103333, abs=1e-6)
    assert limits.lower_two_sigma == pytest.approx(8.896667, abs=1e-6)
    assert xmr_limits([5]) is None


def test_format_number():
    assert format_number(1234) == "1,234"
    assert format_number(15.5) == "15.5"
    assert format_number(16.655) == "16.66"
    assert format_number(7.345) == "7.35"  # halves round up, despite binary
    assert format_number(0.000123) == "0.000123"
    assert format_number(-3.25) == "-3.25"
    assert format_number(None) == "–"


# --- Runs limits: the exact distribution, checked by counting -------------------------


@cache
def _count_by_runs(above: int, below: int, last: int) -> dict[int, int]:
    """Arrangements of the remaining points, by the runs they add, given the last side.

    Counted step by step, independently of the Swed and Eisenhart formula.
    """
    if above == 0 and below == 0:
        return {0: 1}
    out: dict[int, int] = {}
    for side, a, b in ((1, above - 1, below), (-1, above, below - 1)):
        if a < 0 or b < 0:
            continue
        for runs, count in _count_by_runs(a, b, side).items():
            runs += side != last
            out[runs] = out.get(runs, 0) + count
    return out


def _limits_by_counting(useful: int) -> tuple[int, int]:
    above = useful // 2
    counts = _count_by_runs(above, useful - above, 0)
    total = sum(counts.values())
    assert total == math.comb(useful, above)
    alpha = Fraction(1, 40)  # 2.5% in each tail
    low = max(
        r
        for r in range(1, useful + 2)
        if Fraction(sum(c for k, c in counts.items() if k < r), total) <= alpha
    )
    high = min(
        r
        for r in range(0, useful + 1)
        if Fraction(sum(c for k, c in counts.items() if k > r), total) <= alpha
    )
    return low, high


def test_exact_runs_limits_for_10_20_and_30_useful_points():
    # The expected ranges: fewer runs than the first, or more than the second, is a signal.
    assert runs_limits_exact(10) == (3, 9)
    assert runs_limits_exact(20) == (7, 15)
    assert runs_limits_exact(30) == (11, 21)


@pytest.mark.parametrize("useful", [10, 11, 15, 20, 25, 30, 45, 60, 61, 100])
def test_exact_runs_limits_match_a_count_of_every_arrangement(useful):
    assert runs_limits_exact(useful) == _limits_by_counting(useful)


def test_runs_limits_for_ten_points_by_brute_force():
    # All 252 ways to put 5 points above and 5 below: 2 of them make 2 runs (2/252 < 2.5%),
    # 8 make 3 runs (10/252 = 4% > 2.5%), so fewer than 3 runs is too few.
    runs = []
    for above in itertools.combinations(range(10), 5):
        sides = [1 if i in above else -1 for i in range(10)]
        runs.append(1 + sum(a != b for a, b in itertools.pairwise(sides)))
    assert runs.count(2) == 2 and runs.count(3) == 8
    assert runs.count(10) == 2 and runs.count(9) == 8
    assert runs_limits_exact(10) == (3, 9) == runs_limits(10)


def test_the_runs_formula_matches_counting():
    for above in range(1, 9):
        for below in range(1, 9):
            # Starting from "no side", the first point starts the first run.
            assert runs_distribution(above, below) == _count_by_runs(above, below, 0)


def test_runs_limits_need_ten_useful_points():
    assert runs_limits(9) is None
    assert runs_limits(0) is None


def test_runs_are_counted_as_crossings_plus_one_ignoring_points_on_the_median():
    # Median 5: below, on, below, above, on, above, below.
    assert runs_about([1, 5, 2, 8, 5, 9, 3], 5) == [[0, 2], [3, 5], [6]]


# --- IHI run chart rules ----------------------------------------------------------------


def test_a_shift_of_six_is_a_signal_and_five_is_not():
    six = [1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 8, 1]  # median 5.0: points 5 to 10 above
    assert [s.points for s in rules(analyse(six), "shift")] == [[5, 6, 7, 8, 9, 10]]
    five = [1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 1, 2, 9, 1]
    assert rules(analyse(five), "shift") == []


def test_a_shift_interrupted_by_a_point_on_the_median_still_counts():
    # Baseline [4, 6, 5, 3, 7]: median 5. Then 8, 9, 5 (on the median), 7, 6, 8.
    values = [4, 6, 5, 3, 7, 8, 9, 5, 7, 6, 8]
    analysis = analyse(values, baseline=5)
    assert analysis.centre == 5
    shifts = rules(analysis, "shift")
    assert len(shifts) == 1
    assert shifts[0].points == [4, 5, 6, 8, 9, 10]  # point 7 is skipped, not counted
    assert shifts[0].detail == {"side": "above", "skipped": 1} and shifts[0].phase == 0
    # Had the point on the median broken it, there would be two runs of three: no shift.
    assert find_shifts(values, 5, 6, skip_on_centre=False) == []


def test_a_shift_below_the_median():
    values = [8, 9, 7, 8, 9, 2, 3, 1, 2, 3, 2, 8]
    shifts = rules(analyse(values), "shift")
    assert [(s.points, s.detail["side"]) for s in shifts] == [([5, 6, 7, 8, 9, 10], "below")]


def test_a_trend_of_five_is_a_signal_and_four_is_not():
    five = [5, 4, 5, 1, 2, 3, 4, 5, 4, 5]
    assert [s.points for s in rules(analyse(five), "trend")] == [[3, 4, 5, 6, 7]]
    four = [5, 4, 5, 1, 2, 3, 4, 3, 4, 3]
    assert rules(analyse(four), "trend") == []


def test_a_trend_with_a_repeated_value_counts_the_value_once():
    values = [5, 1, 2, 3, 3, 4, 5, 2, 4, 2]
    trends = rules(analyse(values), "trend")
    assert len(trends) == 1
    assert trends[0].points == [1, 2, 3, 5, 6]  # point 4 repeats point 3: counted once
    assert trends[0].detail == {"direction": "up"}
    # Had the repeat broken it, there would be two climbs of three: no trend.
    assert find_trends(values, 5, ties="break") == []


def test_repeats_do_not_make_a_trend_on_their_own():
    assert find_trends([1, 2, 2, 2, 2, 2, 3], 5) == []
    assert find_trends([5, 5, 5, 5, 5, 5], 5) == []


def test_a_downward_trend_and_a_turning_point_shared_by_two_trends():
    values = [1, 2, 3, 4, 5, 4, 3, 2, 1]
    trends = find_trends(values, 5)
    assert [(t.points, t.detail["direction"]) for t in trends] == [
        ([0, 1, 2, 3, 4], "up"),
        ([4, 5, 6, 7, 8], "down"),
    ]


def test_too_few_runs():
    values = [1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9]
    analysis = analyse(values)
    assert analysis.runs == 2 and analysis.useful == 20
    assert analysis.runs_expected == (6, 16)  # the published table's row for 20
    runs = rules(analysis, "runs")
    assert len(runs) == 1
    assert runs[0].detail == {
        "too": "few", "runs": 2, "useful": 20, "low": 6, "high": 16, "source": "table"
    }  # fmt: skip
    assert runs[0].points == list(range(20))


def test_too_many_runs():
    values = [1, 9] * 10
    analysis = analyse(values)
    assert analysis.runs == 20
    assert [s.detail["too"] for s in rules(analysis, "runs")] == ["many"]


def test_runs_within_the_expected_range_are_not_a_signal():
    values = [1, 2, 9, 8, 1, 2, 9, 8, 1, 2, 9, 8, 1, 2, 9, 8, 1, 2, 9, 8]
    analysis = analyse(values)
    assert analysis.runs == 10 and analysis.runs_expected == (6, 16)
    assert analysis.signals == []


def test_the_runs_rule_is_not_used_with_fewer_than_ten_useful_points():
    values = [5, 5, 5, 5, 1, 9, 1, 9, 1, 9, 5, 5]  # median 5: only 6 points off it
    analysis = analyse(values)
    assert analysis.useful == 6 and analysis.runs_expected is None
    assert rules(analysis, "runs") == []
    assert any("runs rule needs at least 10" in w for w in analysis.warnings)


def test_fewer_than_ten_points_warns():
    analysis = analyse([3, 5, 4, 6, 5])
    assert any("only 5 points" in w and "at least 10" in w for w in analysis.warnings)
    assert "With so few points" in "".join(t for t, _ in no_signal_parts(analysis))


def test_astronomical_points_are_only_those_a_person_marks():
    values = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 90]
    assert analyse(values).astronomical == []
    assert [e.rule for e in explain(analyse(values))] == []
    marked = analyse(values, astronomical=[11, 99, -1])
    assert marked.astronomical == [11]  # out-of-range marks are dropped
    (explanation,) = explain(marked)
    assert explanation.rule == "astronomical"
    assert ("astronomical point", "astronomical-data-point") in explanation.parts


# --- Anhøj rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("useful", "longest", "crossings"),
    [(10, 6, 2), (20, 7, 6), (24, 8, 8), (30, 8, 10), (100, 10, 41)],
)
def test_anhoej_limits(useful, longest, crossings):
    assert anhoej_longest_run_limit(useful) == longest == round(math.log2(useful) + 3)
    assert anhoej_crossings_limit(useful) == crossings
    # The lower 5% binomial quantile: P(X <= c - 1) < 5% <= P(X <= c), X ~ Bin(n - 1, 0.5).
    trials = useful - 1
    below = sum(math.comb(trials, k) for k in range(crossings)) / 2**trials
    at = sum(math.comb(trials, k) for k in range(crossings + 1)) / 2**trials
    assert below < 0.05 <= at


def test_anhoej_unusually_long_run():
    # 20 points, median 5: eight below in a row is longer than round(log2(20) + 3) = 7.
    values = [9, 1, 9, 1, 2, 1, 2, 1, 2, 1, 2, 8, 9, 1, 9, 8, 9, 8, 9, 8]
    analysis = analyse(values, rules="anhoej")
    assert analysis.longest_run == 8
    shifts = rules(analysis, "shift")
    assert [s.points for s in shifts] == [[3, 4, 5, 6, 7, 8, 9, 10]]
    assert shifts[0].detail["limit"] == 7


def test_anhoej_too_few_crossings():
    # Ten below and ten above the median of 5, in runs of 4, 4, 3, 3, 3 and 3.
    values = [1, 2, 1, 2, 9, 8, 9, 8, 1, 2, 1, 9, 8, 9, 2, 1, 2, 8, 9, 8]
    analysis = analyse(values, rules="anhoej")
    assert analysis.crossings == 5 and analysis.useful == 20
    assert [(s.detail["too"], s.detail["limit"]) for s in rules(analysis, "runs")] == [("few", 6)]
    assert analysis.runs_expected == (7, None)
    assert rules(analysis, "shift") == []  # no run longer than 7
    assert rules(analysis, "trend") == []  # Anhøj's rules have no trend rule


# --- Making Data Count (XmR) ------------------------------------------------------------

STEADY = [9, 11] * 10  # mean 10, every moving range 2: limits 10 ± 5.32, two-sigma 10 ± 3.5467


def test_xmr_uses_the_baseline_mean_and_average_moving_range():
    analysis = analyse([*STEADY, 30, 10], chart="xmr", baseline=20)
    assert analysis.centre == 10
    assert analysis.limits.average_moving_range == 2
    assert analysis.limits.upper == pytest.approx(15.32)
    assert analysis.limits.lower == pytest.approx(4.68)
    assert analysis.as_json()["limits"] == {
        "upper": 15.32,
        "lower": 4.68,
        "upper_two_sigma": 13.54666667,
        "lower_two_sigma": 6.453333333,
    }


def test_xmr_a_point_outside_the_limits():
    analysis = analyse([*STEADY, 30, 10, 2], chart="xmr", baseline=20)
    outside = rules(analysis, "outside-limits")
    assert [(s.points, s.detail["side"]) for s in outside] == [([20], "above"), ([22], "below")]


def test_xmr_a_point_on_a_limit_is_not_outside_it():
    analysis = analyse([*STEADY, 15.32], chart="xmr", baseline=20)
    assert rules(analysis, "outside-limits") == []


def test_mdc7_shift_of_seven_and_mdc6_shift_of_six():
    six_above = [*STEADY, 9, 11, 12, 11, 12, 11, 12, 9]
    assert rules(analyse(six_above, chart="xmr", baseline=20, rules="mdc7"), "shift") == []
    shifts = rules(analyse(six_above, chart="xmr", baseline=20, rules="mdc6"), "shift")
    assert [s.points for s in shifts] == [[21, 22, 23, 24, 25, 26]]
    seven = [*STEADY, 9, 12, 11, 12, 11, 12, 11, 12]
    shifts = rules(analyse(seven, chart="xmr", baseline=20, rules="mdc7"), "shift")
    assert [s.points for s in shifts] == [[21, 22, 23, 24, 25, 26, 27]]


def test_a_point_on_the_mean_ends_a_making_data_count_shift():
    values = [*STEADY, 9, 12, 11, 12, 10, 12, 11, 12]  # 10 is on the mean
    assert rules(analyse(values, chart="xmr", baseline=20, rules="mdc6"), "shift") == []


def test_mdc7_trend_of_seven_and_mdc6_trend_of_six():
    six = [*STEADY, 7, 8, 9, 10, 11, 12]
    assert rules(analyse(six, chart="xmr", baseline=20, rules="mdc7"), "trend") == []
    trends = rules(analyse(six, chart="xmr", baseline=20, rules="mdc6"), "trend")
    assert [s.points for s in trends] == [[20, 21, 22, 23, 24, 25]]
    seven = [*STEADY, 13, 12, 11, 10, 9, 8, 7]
    trends = rules(analyse(seven, chart="xmr", baseline=20, rules="mdc7"), "trend")
    assert [(s.points, s.detail["direction"]) for s in trends] == [
        ([20, 21, 22, 23, 24, 25, 26], "down")
    ]


def test_an_equal_value_ends_a_making_data_count_trend():
    values = [*STEADY, 7, 8, 9, 9, 10, 11, 12]
    assert rules(analyse(values, chart="xmr", baseline=20, rules="mdc6"), "trend") == []


def test_two_out_of_three_beyond_the_same_two_sigma_line():
    analysis = analyse([*STEADY, 14, 12, 14, 10], chart="xmr", baseline=20)
    signals = rules(analysis, "two-of-three")
    assert [(s.points, s.detail["side"]) for s in signals] == [([20, 22], "above")]
    assert rules(analysis, "outside-limits") == []


def test_two_of_three_on_different_sides_is_not_a_signal():
    analysis = analyse([*STEADY, 14, 10, 6, 10], chart="xmr", baseline=20)
    assert rules(analysis, "two-of-three") == []
    low = analyse([*STEADY, 6, 6, 8], chart="xmr", baseline=20)
    assert [(s.points, s.detail["side"]) for s in rules(low, "two-of-three")] == [
        ([20, 21], "below")
    ]
    # All three points must be on that side of the mean: 10 is on it.
    assert rules(analyse([*STEADY, 6, 6, 10], chart="xmr", baseline=20), "two-of-three") == []


def test_all_equal_values_give_a_zero_moving_range_without_error():
    analysis = analyse([5] * 20, chart="xmr")
    assert analysis.limits.average_moving_range == 0
    assert analysis.limits.upper == analysis.limits.lower == 5
    assert analysis.signals == []
    assert any("no variation" in w for w in analysis.warnings)
    run = analyse([5] * 20)
    assert run.useful == 0 and run.signals == []
    assert "Every point is on the median, so there are no runs to judge." in run.warnings


def test_xmr_with_too_short_a_baseline_warns():
    analysis = analyse(STEADY[:10], chart="xmr")
    assert any("only 10 points" in w and "15 to 20" in w for w in analysis.warnings)


def test_one_point():
    for chart in ("run", "xmr"):
        analysis = analyse([7], chart=chart)
        assert analysis.centre == 7 and analysis.signals == []
        assert analysis.warnings
    assert analyse([7], chart="xmr").limits is None


def test_no_points():
    analysis = analyse([])
    assert analysis.n == 0 and analysis.centre is None and analysis.signals == []


def test_bad_options_become_warnings():
    analysis = analyse([1, 2, 3], chart="pie", rules="mdc7", baseline=99)
    assert analysis.chart == "run" and analysis.rules == "ihi" and analysis.baseline == 3
    assert len(analysis.warnings) >= 3
    assert analyse([1, 2, 3], rules="zzz").rules == "ihi"
    assert analyse([1, 2, 3], chart="xmr", rules="anhoej").rules == "mdc7"
    assert analyse([1, 2, 3], baseline=0).baseline == 3


def test_as_json_has_the_shape_the_api_promises():
    data = analyse([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).as_json()  # median 5.5
    for key in ("centre", "limits", "runs", "runs_expected", "signals"):
        assert key in data
    assert data["limits"] is None
    assert data["runs_expected"] == {"low": 3, "high": 9}


# --- Plain words --------------------------------------------------------------------------


def test_a_shift_explained_in_plain_words_with_glossary_links():
    values = [4, 6, 5, 3, 7, 8, 9, 5, 7, 6, 8]
    labels = [f"Week {i}" for i in range(1, 12)]
    (explanation,) = explain(analyse(values, baseline=5), labels)
    assert explanation.text == (
        "Points 5 (Week 5) to 11 (Week 11): 6 points in a row all above the middle line (the "
        "median), not counting 1 point on the line. This is a shift. Something has probably "
        "changed."
    )
    assert ("shift", "shift") in explanation.parts and ("median", "median") in explanation.parts


def test_what_no_signal_means():
    text = "".join(t for t, _ in no_signal_parts(analyse(STEADY)))
    assert "The variation looks like the everyday ups and downs" in text
    assert "no evidence of change yet" in text


def test_each_xmr_signal_is_explained():
    values = [*STEADY, 30, 14, 12, 14, 7, 8, 9, 10, 11, 12, 13]
    analysis = analyse(values, chart="xmr", baseline=20, rules="mdc6")
    texts = {e.rule: e.text for e in explain(analysis)}
    assert "above the upper process limit" in texts["outside-limits"]
    assert (
        "two out of three points in a row are beyond the upper two-sigma line"
        in texts["two-of-three"]
    )
    assert "all going up" in texts["trend"]


# --- Changes and astronomical points --------------------------------------------------------


def test_changes_by_label_or_number():
    labels = ["Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024"]
    changes, messages = parse_changes(
        "Mar 2024: board round\n2 - huddle\n4 new form\nmay 2024: nothing\nfeb 2024", labels
    )
    assert changes == [(1, "huddle"), (1, "change made"), (2, "board round"), (3, "new form")]
    assert messages == [
        "The change “may 2024: nothing” does not start with a point number or a label from "
        "your data, so it is not on the chart."
    ]


def test_astronomical_points_by_label_or_number():
    labels = ["Jan", "Feb", "Mar"]
    assert parse_point_list("2, jan", labels) == ([0, 1], [])
    found, messages = parse_point_list("9, foo", labels)
    assert found == [] and len(messages) == 2
