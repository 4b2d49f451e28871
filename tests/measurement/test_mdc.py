"""Making Data Count in full, on hand-worked series: phases, baselines, screening, point
types for every direction, and assurance. Plain Python: no database.

The semantics follow NHS England's NHSRplotthedots 0.2 (`ptd_spc`): limits are the mean
± 2.66 × the average moving range and the near lines ± (2/3 × 2.66) × it; moving ranges
never span two phases; a point's type comes from the limit it is beyond, else the trend
it is in, else its side of its phase's mean.
"""

import pytest

from guides.measurement.runchart import (
    PUBLISHED_RUNS,
    analyse,
    assurance,
    assurance_words,
    finding,
    phase_bounds,
    runs_limits,
    runs_limits_exact,
    runs_limits_source,
    variation_words,
    xmr_limits,
)

STEADY = [9, 11] * 10  # mean 10, every moving range 2: limits 4.68 to 15.32, near 6.45, 13.55
IMP, CON = "special_cause_improvement", "special_cause_concern"
HIGH, LOW, CC = "special_cause_neutral_high", "special_cause_neutral_low", "common_cause"


def rules(analysis, rule):
    return [s for s in analysis.signals if s.rule == rule]


# --- Limits ------------------------------------------------------------------------------


def test_limits_and_near_lines_by_hand():
    limits = xmr_limits(STEADY)
    assert limits.centre == 10 and limits.average_moving_range == 2
    assert limits.upper == pytest.approx(10 + 2.66 * 2) == pytest.approx(15.32)
    assert limits.lower == pytest.approx(4.68)
    assert limits.upper_two_sigma == pytest.approx(10 + 2 / 3 * 2.66 * 2)  # 13.5467
    assert limits.lower_two_sigma == pytest.approx(6.4533, abs=1e-4)


# --- Phases ------------------------------------------------------------------------------

TWO_LEVELS = [9, 11] * 5 + [19, 21] * 5  # 10 points about 10, then 10 about 20


def test_without_a_new_phase_the_step_is_a_shift():
    analysis = analyse(TWO_LEVELS, chart="xmr")
    # Mean 15; moving ranges 2 (x18) and 8 (11 to 19): average 44/19.
    assert analysis.centre == 15
    assert analysis.limits.average_moving_range == pytest.approx(44 / 19)
    assert [s.points for s in rules(analysis, "shift")] == [list(range(10)), list(range(10, 20))]
    assert len(analysis.phases) == 1


def test_each_phase_has_its_own_mean_moving_ranges_and_limits():
    analysis = analyse(TWO_LEVELS, chart="xmr", rebase=[10])
    first, second = analysis.phases
    assert (first.start, first.end, second.start, second.end) == (0, 9, 10, 19)
    assert first.centre == 10 and second.centre == 20
    # The jump from 11 to 19 is not a moving range: every one within a phase is 2.
    assert first.limits.average_moving_range == second.limits.average_moving_range == 2
    assert analysis.phase_moving_ranges()[10] is None
    assert analysis.phase_moving_ranges()[11] == 2
    assert second.limits.upper == pytest.approx(25.32)
    # Within each phase the points go up and down about its own mean: no signals.
    assert analysis.signals == []
    assert analysis.point_types == [CC] * 20
    assert analysis.centre == 20  # the top-level figures are the latest phase's
    assert analysis.as_json()["phases"] == [
        {"start": 0, "end": 9, "baseline": 10, "centre": 10.0, "upper": 15.32, "lower": 4.68,
         "near_upper": 13.54666667, "near_lower": 6.453333333, "average_moving_range": 2.0},
        {"start": 10, "end": 19, "baseline": 10, "centre": 20.0, "upper": 25.32, "lower": 14.68,
         "near_upper": 23.54666667, "near_lower": 16.45333333, "average_moving_range": 2.0},
    ]  # fmt: skip


def test_signals_are_found_within_a_phase_never_across_two():
    # Points 19 to 26 are above 10: eight in a row. A new phase at 25 leaves six of them
    # in phase 1, and phase 2 (mean 10.5) has none in a row.
    values = [*STEADY, 12, 12, 12, 12, 12, 12, 12, 9, 11, 9, 11, 9, 11]
    assert [s.points for s in rules(analyse(values, chart="xmr", baseline=20), "shift")] == [
        list(range(19, 27))
    ]
    split = analyse(values, chart="xmr", baseline=20, rebase=[25])
    assert split.phases[1].centre == 10.5
    assert rules(split, "shift") == []


def test_phase_bounds_and_bad_starts():
    warnings = []
    assert phase_bounds(10, [0, 4, 4, 12, 7], warnings) == [(0, 3), (4, 6), (7, 9)]
    assert len(warnings) == 1 and "12" in warnings[0]
    assert phase_bounds(5, []) == [(0, 4)]
    assert phase_bounds(1, [0]) == [(0, 0)]


def test_a_phase_of_one_point_has_no_limits_and_says_so():
    analysis = analyse([*STEADY, 30], chart="xmr", rebase=[20])
    assert analysis.phases[1].limits is None and analysis.limits is None
    assert any("Phase 2 (point 21)" in w and "no limits" in w for w in analysis.warnings)
    assert analysis.assurance is None


def test_run_charts_get_a_new_median_per_phase():
    before = [4, 6, 5, 3, 7, 5, 4, 6, 5, 6]  # median 5
    after = [14, 16, 15, 13, 17, 15, 14, 16, 15, 16]  # median 15
    whole = analyse(before + after)
    assert [s.points for s in rules(whole, "shift")] == [list(range(10)), list(range(10, 20))]
    phased = analyse(before + after, rebase=[10])
    assert [p.centre for p in phased.phases] == [5, 15]
    assert rules(phased, "shift") == []
    # The runs rule is judged per phase: phase 2 has only 7 points off its median.
    assert phased.phases[1].useful == 7 and phased.phases[1].runs_expected is None
    assert any("In phase 2, only 7 of the points" in w for w in phased.warnings)


# --- Baseline (fix_after_n_points) ---------------------------------------------------------


def test_baseline_fixes_each_phase_from_its_first_points():
    values = [9, 11, 9, 11, 20, 29, 31, 29, 31, 40]
    analysis = analyse(values, chart="xmr", rebase=[5], baseline=4)
    first, second = analysis.phases
    # Phase 1: mean of 9, 11, 9, 11 is 10 and its moving ranges are all 2 (not the 9 to 20).
    assert (first.centre, first.limits.average_moving_range, first.fixed) == (10, 2, 4)
    assert (second.centre, second.limits.average_moving_range, second.fixed) == (30, 2, 4)
    assert [(s.points, s.detail["side"]) for s in rules(analysis, "outside-limits")] == [
        ([4], "above"),
        ([9], "above"),
    ]
    assert analysis.has_baseline
    # Without the baseline, phase 1's mean is 12 and its average moving range 15/4:
    # the upper limit is 21.975, and 20 is inside it.
    loose = analyse(values, chart="xmr", rebase=[5])
    assert loose.phases[0].centre == 12
    assert loose.phases[0].limits.upper == pytest.approx(21.975)
    assert rules(loose, "outside-limits") == []


def test_a_baseline_longer_than_a_phase_uses_the_whole_phase():
    analysis = analyse(TWO_LEVELS, chart="xmr", rebase=[10], baseline=15)
    assert [p.fixed for p in analysis.phases] == [10, 10]
    assert not analysis.has_baseline


# --- Screening (screen_outliers) -----------------------------------------------------------


def test_screening_leaves_out_large_moving_ranges_before_the_limits():
    values = [10, 12] * 10
    values[9] = 40  # moving ranges: seventeen of 2, and 30 and 30 either side of the 40
    plain = analyse(values, chart="xmr")
    assert plain.limits.average_moving_range == pytest.approx(94 / 19)
    screened = analyse(values, chart="xmr", screen=True)
    # 3.267 × 94/19 = 16.16: both 30s are left out, and the average of the rest is 2.
    assert screened.limits.average_moving_range == pytest.approx(2)
    assert screened.limits.screened == 2
    assert screened.centre == plain.centre == pytest.approx(12.4)
    assert screened.limits.upper == pytest.approx(12.4 + 2.66 * 2)
    assert any("2 unusually large moving ranges were left out" in w for w in screened.warnings)


def test_screening_leaves_a_range_exactly_at_the_cut_out_and_one_below_it_in():
    # Ranges 1, 1, 1, x with x = 3.267 × mean(1, 1, 1, x) → x = 3.267 × 3 / (4 - 3.267).
    x = 3.267 * 3 / (4 - 3.267)
    at = xmr_limits([0, 1, 0, 1, 1 + x], screen=True)
    assert at.screened == 1 and at.average_moving_range == pytest.approx(1)
    below = xmr_limits([0, 1, 0, 1, 1 + x * 0.99], screen=True)
    assert below.screened == 0


def test_screening_with_no_variation_leaves_everything_in():
    limits = xmr_limits([5] * 10, screen=True)
    assert limits.screened == 0 and limits.average_moving_range == 0


# --- The rules, and each point's type -----------------------------------------------------


def test_a_point_beyond_a_limit_is_high_or_low_by_its_side():
    analysis = analyse([*STEADY, 16, 10, 4], chart="xmr", baseline=20)
    assert analysis.point_types[20:] == [HIGH, CC, LOW]
    up = analyse([*STEADY, 16, 10, 4], chart="xmr", baseline=20, direction="increase")
    assert up.point_types[20:] == [IMP, CC, CON]
    down = analyse([*STEADY, 16, 10, 4], chart="xmr", baseline=20, direction="decrease")
    assert down.point_types[20:] == [CON, CC, IMP]
    assert down.variation == IMP


def test_seven_on_one_side_flags_every_point_of_the_run_and_six_does_not():
    seven = [*STEADY, 12, 11, 12, 11, 12, 11, 12]
    analysis = analyse(seven, chart="xmr", baseline=20, direction="increase")
    # Point 19 (11) is above the mean too: the run is points 19 to 26, eight long.
    assert [s.points for s in rules(analysis, "shift")] == [list(range(19, 27))]
    assert analysis.point_types[19:] == [IMP] * 8
    assert analysis.point_types[18] == CC
    six = [*STEADY[:-1], 9, 12, 11, 12, 11, 12, 11, 9]
    assert rules(analyse(six, chart="xmr", baseline=20), "shift") == []
    assert rules(analyse(six, chart="xmr", baseline=20, rules="mdc6"), "shift") != []


def test_below_the_mean_with_lower_better_is_improvement():
    values = [*STEADY, 8, 9, 8, 9, 8, 9, 8]  # seven below the mean (19 is 11, above)
    analysis = analyse(values, chart="xmr", baseline=20, direction="decrease")
    assert analysis.point_types[19:] == [CC] + [IMP] * 7
    assert analysis.variation == IMP


def test_every_point_of_a_rising_trend_is_high_even_below_the_mean():
    values = [*STEADY, 7, 8, 9, 10, 11, 12, 13]
    analysis = analyse(values, chart="xmr", baseline=20)
    (trend,) = rules(analysis, "trend")
    assert trend.points == list(range(20, 27)) and trend.detail["direction"] == "up"
    # 7, 8 and 9 are below the mean of 10 and 10 is on it, yet all are high.
    assert analysis.point_types[20:] == [HIGH] * 7
    assert (
        analyse(values, chart="xmr", baseline=20, direction="increase").point_types[20:]
        == [IMP] * 7
    )
    assert (
        analyse(values, chart="xmr", baseline=20, direction="decrease").point_types[20:]
        == [CON] * 7
    )


def test_an_equal_neighbour_breaks_a_trend():
    values = [*STEADY, 7, 8, 9, 9, 10, 11, 12, 13]
    assert rules(analyse(values, chart="xmr", baseline=20), "trend") == []


def test_a_turning_point_takes_the_direction_of_the_trend_it_starts():
    values = [*STEADY, 7, 8, 9, 10, 11, 12, 13, 12, 11, 10, 9, 8, 7]
    analysis = analyse(values, chart="xmr", baseline=20)
    trends = rules(analysis, "trend")
    assert [(t.points[0], t.points[-1], t.detail["direction"]) for t in trends] == [
        (20, 26, "up"),
        (26, 32, "down"),
    ]
    assert analysis.point_types[20:26] == [HIGH] * 6
    assert analysis.point_types[26] == LOW  # the peak ends the rise and starts the fall
    assert analysis.point_types[27:] == [LOW] * 6


def test_beyond_a_limit_comes_before_a_trend_and_a_trend_before_its_side():
    # 11 then 16 (beyond the upper limit), then down to 10 in seven steps.
    values = [*STEADY, 16, 15, 14, 13, 12, 11, 10]
    analysis = analyse(values, chart="xmr", baseline=20)
    assert [s.points for s in rules(analysis, "outside-limits")] == [[20]]
    assert [s.points for s in rules(analysis, "trend")] == [list(range(20, 27))]
    assert [s.points for s in rules(analysis, "two-of-three")] == [[21, 22]]
    assert [s.points for s in rules(analysis, "shift")] == [list(range(19, 26))]
    # 19: only in the shift above (high); 20: beyond the upper limit (high) though it
    # starts the fall; 21 to 26: in the falling trend (low), though above the mean.
    assert analysis.point_types[19:] == [HIGH, HIGH, LOW, LOW, LOW, LOW, LOW, LOW]


def test_two_of_three_near_a_limit_flags_the_near_points():
    analysis = analyse([*STEADY, 14, 12, 14, 10], chart="xmr", baseline=20, direction="increase")
    assert [s.points for s in rules(analysis, "two-of-three")] == [[20, 22]]
    assert analysis.point_types[20:] == [IMP, CC, IMP, CC]
    below = analyse([*STEADY, 6, 8, 6, 10], chart="xmr", baseline=20, direction="increase")
    assert [s.points for s in rules(below, "two-of-three")] == [[20, 22]]
    assert below.point_types[20:] == [CON, CC, CON, CC]


def test_two_of_three_needs_all_three_on_that_side_and_counts_no_point_beyond_the_limit():
    # 14, 9, 14: the 9 is below the mean.
    assert rules(analyse([*STEADY, 14, 9, 14], chart="xmr", baseline=20), "two-of-three") == []
    # 16 is beyond the limit, not near it: only one near point (14) in each window.
    beyond = analyse([*STEADY, 16, 14, 12], chart="xmr", baseline=20)
    assert rules(beyond, "two-of-three") == []
    assert beyond.point_types[20:] == [HIGH, CC, CC]
    # A point exactly on the limit is near it, not beyond.
    on = analyse([*STEADY, 15.32, 12, 14], chart="xmr", baseline=20)
    assert [s.points for s in rules(on, "two-of-three")] == [[20, 22]]
    assert rules(on, "outside-limits") == []


def test_run_chart_signals_give_types_too():
    values = [1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 8, 1]  # six above the median of 5
    analysis = analyse(values, direction="increase")
    assert analysis.point_types[5:11] == [IMP] * 6
    assert analysis.point_types[:5] == [CC] * 5


# --- Assurance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (16, "increase", "consistent_fail"),  # above the upper limit 15.32
        (16, "decrease", "consistent_pass"),
        (4, "increase", "consistent_pass"),  # below the lower limit 4.68
        (4, "decrease", "consistent_fail"),
        (10, "increase", "inconsistent"),
        (15.32, "increase", "inconsistent"),  # on a limit is within them
        (16, "neutral", None),
        (None, "increase", None),
    ],
)
def test_assurance(target, direction, expected):
    analysis = analyse(STEADY, chart="xmr", target=target, direction=direction)
    assert analysis.assurance == expected
    assert analysis.as_json()["assurance"] == expected


def test_assurance_is_judged_on_the_last_phase():
    analysis = analyse(TWO_LEVELS, chart="xmr", rebase=[10], target=16, direction="increase")
    # Phase 1's limits (4.68 to 15.32) would fail 16; phase 2's (14.68 to 25.32) do not.
    assert analysis.assurance == "inconsistent"
    assert assurance(16, "increase", analysis.phases[0].limits) == "consistent_fail"


def test_no_assurance_on_a_run_chart():
    assert analyse(STEADY, target=16, direction="increase").assurance is None


def test_plain_words_for_the_symbols():
    assert variation_words(IMP) == (
        "Special cause improvement: the latest points show a real change for the better."
    )
    assert assurance_words("inconsistent") == (
        "Inconsistent: the target lies within the limits, so it will sometimes be met and "
        "sometimes not, by chance alone."
    )
    analysis = analyse([*STEADY, 16], chart="xmr", baseline=20, direction="increase", target=10)
    assert finding(analysis).startswith("Special cause improvement:")
    assert "Inconsistent:" in finding(analysis)


# --- Bad options ----------------------------------------------------------------------------


def test_bad_options_become_warnings_and_the_data_is_kept():
    analysis = analyse(STEADY, chart="xmr", direction="up", target=float("inf"), rebase=[99])
    assert analysis.direction == "neutral" and analysis.target is None
    assert len(analysis.phases) == 1 and analysis.n == 20
    assert len(analysis.warnings) >= 3
    assert analyse(STEADY, chart="xmr", baseline=0).baseline == 20


def test_one_point_and_all_equal_values():
    one = analyse([5], chart="xmr", direction="increase", target=4)
    assert one.point_types == [CC] and one.assurance is None and one.warnings
    flat = analyse([5] * 20, chart="xmr", direction="increase", target=5)
    assert flat.point_types == [CC] * 20 and flat.assurance == "inconsistent"


# --- The runs table -----------------------------------------------------------------------


def test_the_published_table_is_used_where_it_could_be_checked():
    # shared/runs-table.md: the rows both reproductions agree on.
    assert runs_limits(10) == (3, 9) and runs_limits_source(10) == "table"
    assert runs_limits(24) == (8, 18) and runs_limits(40) == (15, 27)
    assert len(PUBLISHED_RUNS) == 24


@pytest.mark.parametrize(
    ("useful", "table", "exact"),
    [(11, (3, 10), (4, 9)), (20, (6, 16), (7, 15)), (25, (8, 18), (9, 18))],
)
def test_where_the_table_and_the_exact_calculation_differ(useful, table, exact):
    assert runs_limits(useful) == table
    assert runs_limits_exact(useful) == exact


def test_twenty_points_and_six_runs_too_few_by_the_exact_calculation_not_by_the_table():
    # 20 useful points about a median of 5 in six runs: 4 low, 3 high, 3 low, 3 high, 3 low,
    # 4 high.
    values = [1, 2, 1, 2, 9, 8, 9, 1, 2, 1, 9, 8, 9, 2, 1, 2, 8, 9, 8, 9]
    analysis = analyse(values)
    assert analysis.runs == 6 and analysis.useful == 20
    assert rules(analysis, "runs") == []  # the table: 6 to 16
    assert 6 < runs_limits_exact(20)[0]  # exact: fewer than 7 would be too few


@pytest.mark.parametrize("useful", [27, 29, 30, 33, 35, 37, 39, 41, 60, 61, 200])
def test_rows_that_could_not_be_checked_and_beyond_sixty_are_worked_out_exactly(useful):
    assert runs_limits_source(useful) == "exact"
    assert runs_limits(useful) == runs_limits_exact(useful)


def test_the_table_is_symmetric_for_even_numbers_of_points():
    for useful, (low, high) in PUBLISHED_RUNS.items():
        if useful % 2 == 0:
            assert low + high == useful + 2, useful
