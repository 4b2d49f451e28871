"""The demand and capacity sums (guides/measurement/capacity/), as plain Python: every
formula against hand-worked cases and NHSRwaitinglist's own documented examples, waiting
list files with known answers, and every kind of bad input."""

from datetime import date

import pytest

from guides.measurement.capacity import (
    FIELDS,
    Inputs,
    WaitingListError,
    about,
    at_least,
    calculate,
    coefficient_of_variation,
    decode,
    figures,
    load,
    parse,
    parse_date,
    pressure,
    project,
    queue_too_big,
    read_inputs,
    relief_capacity,
    sentences,
    stats,
    target_capacity,
    target_mean_wait,
    target_queue_size,
    weekly_change,
)

approx = pytest.approx

# --- The formulas ------------------------------------------------------------------------


def test_nhsrwaitinglist_documented_examples():
    # calc_target_queue_size: "Target queue size = 30 * 52/4 = 390 patients."
    assert target_queue_size(30, 52) == 390
    assert target_queue_size(30, 50) == 375
    assert target_queue_size(30, 50, 6) == approx(250)
    # calc_relief_capacity: "Relief Capacity = 30 + (1200 - 390)/26 = 61.15 patients per week."
    assert relief_capacity(30, 1200, 390, 26) == approx(61.153846)
    assert relief_capacity(30, 1200, 390) == approx(61.153846)  # 26 weeks by default
    # The package's tests: target capacity, pressure, load, target mean wait.
    assert target_capacity(30, 52, 3, 1.1, 1.2) == approx(30.076442)
    assert pressure(63, 52) == approx(2.42307692)
    assert load(30, 27) == approx(1.11111111)
    assert target_mean_wait(52, 4) == 13


def test_each_formula_by_hand():
    assert weekly_change(30, 27) == 3
    assert weekly_change(27, 30) == -3
    assert target_mean_wait(18) == 4.5  # factor 4 by default
    assert target_mean_wait(18, 6) == 3
    assert target_queue_size(30, 18) == 135  # 30 x 18 / 4
    # 30 + ((1 + 1) / 2) x (4 / 18): cv 1 by default
    assert target_capacity(30, 18) == approx(30 + 4 / 18)
    # 40 + ((0.5² + 0.3²) / 2) x (4 / 8) = 40 + 0.17 x 0.5
    assert target_capacity(40, 8, 4, 0.5, 0.3) == approx(40.085)
    assert queue_too_big(271, 135) is True
    assert queue_too_big(270, 135) is False  # exactly twice is not "more than twice"
    assert relief_capacity(30, 1200, 135, 26) == approx(30 + 1065 / 26)
    assert relief_capacity(30, 100, 135, 26) < 30  # below target: less than demand would do
    assert pressure(9, 18) == 1


def test_calculate_gives_every_figure_and_only_those_it_can():
    result = calculate(Inputs(demand=30, capacity=27, target_wait=18))
    assert result.as_json() == {
        "load": approx(30 / 27),
        "weekly_change": 3,
        "target_mean_wait": 4.5,
        "target_queue_size": 135,
        "target_capacity": approx(30 + 4 / 18),
    }
    full = calculate(Inputs(30, 27, 18, queue=1200, mean_wait=10, time_to_target=13))
    data = full.as_json()
    assert data["queue_too_big"] is True
    assert data["relief_capacity"] == approx(30 + 1065 / 13)
    assert data["pressure"] == approx(20 / 18)


def test_the_issue_example_in_plain_words():
    words = " ".join(sentences(calculate(Inputs(30, 27, 18, queue=1200))))
    assert words.startswith(
        "About 30 people join the list each week and you see about 27. "
        "The list grows by about 3 a week. To keep waits within 18 weeks you need a list of "
        "no more than about 135 and the capacity to see just over 30 a week. Your list is "
        "1,200: to bring it to 135 within 26 weeks you need about 71 a week until then."
    )
    assert "more than twice" in words


def test_plain_words_for_a_shrinking_list_within_its_target_and_pressure():
    words = " ".join(sentences(calculate(Inputs(40, 44, 18, queue=100, mean_wait=3))))
    assert "The list shrinks by about 4 a week." in words
    assert "Your list is 100, within that size." in words
    assert "pressure on the list is 0.33, not above 1" in words
    steady = " ".join(sentences(calculate(Inputs(40, 40, 18))))
    assert "about the same" in steady and "drift up" in steady
    over = " ".join(sentences(calculate(Inputs(30, 27, 18, mean_wait=12))))
    assert "1.33, above 1, so the 18-week target will probably be missed" in over


def test_numbers_in_words():
    assert about(30.4) == "30"
    assert about(1200) == "1,200"
    assert about(2.54) == "2.5"
    assert about(3.0) == "3"
    assert at_least(30.22) == "just over 30"
    assert at_least(70.96) == "about 71"
    assert at_least(30) == "about 30"


def test_each_figure_shows_its_formula_with_the_numbers_in_it():
    rows = {f.key: f for f in figures(calculate(Inputs(30, 27, 52, queue=1200, mean_wait=10)))}
    assert rows["target_queue_size"].value == "390"
    assert rows["target_queue_size"].formula.startswith(
        "demand × target wait ÷ factor = 30 × 52 ÷ 4"
    )
    assert rows["relief_capacity"].value == "61.15 a week"
    assert rows["relief_capacity"].formula.endswith("= 30 + (1,200 − 390) ÷ 26")
    assert rows["pressure"].value == "0.38"
    assert rows["target_queue_size"].slug == "littles-law"
    assert set(rows) == {
        "demand", "capacity", "load", "weekly_change", "target_mean_wait", "target_queue_size",
        "target_capacity", "queue", "queue_too_big", "relief_capacity", "mean_wait", "pressure",
    }  # fmt: skip


# --- Reading typed numbers ---------------------------------------------------------------


def test_read_inputs_with_defaults_and_thousands():
    inputs, errors = read_inputs({"demand": " 30 ", "capacity": "27.5", "target_wait": "18",
                                  "queue": "1,200"})  # fmt: skip
    assert errors == {}
    assert inputs == Inputs(30, 27.5, 18, queue=1200)
    assert (inputs.factor, inputs.cv_demand, inputs.cv_capacity, inputs.time_to_target) == (
        4,
        1,
        1,
        26,
    )


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [
        ("demand", "", "Demand per week is missing"),
        ("demand", "thirty", "must be a number, such as 30, not “thirty”"),
        ("demand", "nan", "must be a number"),
        ("demand", "NaN", "must be a number"),
        ("demand", "1e400", "is too large"),
        ("demand", "inf", "is too large"),
        ("demand", "-5", "cannot be negative"),
        ("capacity", "0", "Capacity per week must be more than 0"),
        ("capacity", "-1", "must be more than 0"),
        ("target_wait", "0", "The target wait must be more than 0"),
        ("target_wait", "-18", "must be more than 0"),
        ("queue", "-3", "cannot be negative"),
        ("factor", "0", "must be more than 0"),
        ("time_to_target", "0", "must be more than 0"),
        ("cv_demand", "x", "must be a number"),
        ("factor", "1e-300", "too small to work with: use at least 0.001"),
        ("capacity", "0.0000001", "too small"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(field, text, words):
    data = {"demand": "30", "capacity": "27", "target_wait": "18", field: text}
    inputs, errors = read_inputs(data)
    assert inputs is None
    assert words in errors[field]
    assert set(errors) == {field}


def test_every_field_is_read():
    assert [f.name for f in FIELDS] == [
        "demand", "capacity", "target_wait", "queue", "mean_wait", "factor", "cv_demand",
        "cv_capacity", "time_to_target",
    ]  # fmt: skip


# --- Waiting list files -------------------------------------------------------------------

KNOWN = """referral,removal
2024-01-01,2024-01-08
2024-01-02,2024-01-10
2024-01-04,
2024-01-08,2024-01-14
2024-01-10,
"""


def test_a_file_with_known_answers():
    s = stats(parse(KNOWN))
    assert (s.start, s.end, s.days) == (date(2024, 1, 1), date(2024, 1, 14), 14)
    assert s.weeks == 2  # (13 days + 1) / 7
    assert s.demand == 2.5  # 5 referrals / 2 weeks
    assert s.capacity == 1.5  # 3 removals / 2 weeks
    assert s.queue == 2
    assert s.mean_wait == 1  # (10 + 4 days) / 2 = 7 days
    # Referral gaps 1, 2, 4, 2: mean 2.25, sample sd sqrt(4.75 / 3)
    assert s.cv_demand == approx((4.75 / 3) ** 0.5 / 2.25)
    # Removal gaps 2, 4: mean 3, sample sd sqrt(2)
    assert s.cv_capacity == approx(2**0.5 / 3)
    assert s.weekly_referrals == [3, 2]
    assert s.weekly_removals == [0, 3]
    assert s.weekly_queue == [3, 2]
    assert s.as_json()["start"] == "2024-01-01"


def test_the_period_ends_at_the_latest_date_of_any_kind():
    s = stats(parse("Referral Date,Patient,Removal Date\n2024-03-01,a,2024-03-29\n2024-03-02,b,\n"))
    assert s.end == date(2024, 3, 29)
    assert s.weeks == 29 / 7
    assert s.mean_wait == 27 / 7
    assert s.weekly_queue == [2, 2, 2, 2, 1]
    assert s.last_week_days == 1


def test_extreme_but_allowed_numbers_give_finite_answers():
    import math

    extremes = {
        "demand": "1e9", "capacity": "0.001", "target_wait": "1e9", "factor": "0.001",
        "cv_demand": "1e9", "cv_capacity": "1e9", "queue": "1e9", "mean_wait": "1e9",
        "time_to_target": "0.001",
    }  # fmt: skip
    inputs, errors = read_inputs(extremes)
    assert errors == {}
    assert all(math.isfinite(v) for v in calculate(inputs).as_json().values() if v is not True)


def test_a_file_of_one_referral_seen_the_same_day():
    s = stats(parse("referral,removal\n2024-05-01,2024-05-01\n"))
    assert (s.days, s.weeks, s.demand, s.capacity, s.queue) == (1, 1 / 7, 7, 7, 0)
    assert s.mean_wait is None and s.cv_demand is None and s.cv_capacity is None
    assert s.weekly_queue == [0] and s.last_week_days == 1


def test_same_day_referrals_make_a_gap_of_zero():
    assert coefficient_of_variation([1, 1, 3]) == approx(2**0.5 / 1)  # gaps 0, 2
    assert coefficient_of_variation([5, 5, 5]) is None  # no gaps to measure
    assert coefficient_of_variation([1, 2]) is None  # one gap has no spread


def test_blank_rows_and_rows_of_separators_are_skipped():
    waiting = parse("referral,removal,x\n2024-01-01,,\n,,\n\n  \n2024-01-02,2024-01-03,\n")
    assert len(waiting.referrals) == 2


def test_headers_are_matched_whatever_their_case_and_order():
    waiting = parse("REMOVAL;Referral;note\n2024-02-01;2024-01-01;x\n;2024-01-03;y\n")
    assert waiting.referrals == [date(2024, 1, 1).toordinal(), date(2024, 1, 3).toordinal()]
    assert waiting.removals == [date(2024, 2, 1).toordinal(), None]
    assert waiting.messages == [
        "Only the referral and removal dates are used; other columns are ignored."
    ]


def test_pasted_columns_need_no_header_and_take_uk_dates():
    waiting = parse("01/01/2024\t08/01/2024\n02/01/2024\t\n", header_required=False)
    assert waiting.referrals == [date(2024, 1, 1).toordinal(), date(2024, 1, 2).toordinal()]
    assert waiting.removals == [date(2024, 1, 8).toordinal(), None]
    named = parse("In\tOut\n2024-01-01\t2024-01-02\n", header_required=False)
    assert named.headers == ("In", "Out")


def test_dates():
    assert parse_date("2024-03-31") == date(2024, 3, 31).toordinal()
    assert parse_date("2024-03-31T09:30:00") == date(2024, 3, 31).toordinal()
    assert parse_date("2024-03-31 09:30") == date(2024, 3, 31).toordinal()
    assert parse_date("31/03/2024") == date(2024, 3, 31).toordinal()
    for bad in ("2024-02-30", "31/02/2024", "tomorrow", "2024-03-31x", "03-31-2024", ""):
        assert parse_date(bad) is None, bad


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "The file is empty."),
        ("\n \n", "The file is empty."),
        ("2024-01-01,2024-01-05\n", "The file has no header row"),
        ("date,when\n2024-01-01,\n", "no referral or removal column"),
        ("referral,outcome\n2024-01-01,\n", "no removal column. Its first line names “referral”"),
        ("referral,removal\n", "a header row but no referrals"),
        ("referral,removal\n2024-01-01,\n2024-13-01,\n", "Line 3: “2024-13-01” is not a date"),
        ("referral,removal\n2024-01-01,soon\n", "Line 2: “soon” is not a date"),
        ("referral,removal\n,2024-01-01\n", "Line 2: there is no referral date."),
        (
            "referral,removal\n2024-01-01,\n2024-01-10,2024-01-09\n",
            "Line 3: the removal date 2024-01-09 is before the referral date 2024-01-10.",
        ),
    ],
)
def test_bad_files_are_refused_with_the_reason(text, words):
    with pytest.raises(WaitingListError) as refused:
        parse(text)
    assert words in str(refused.value)


def test_many_bad_lines_are_named_then_counted():
    text = "referral,removal\n" + "".join(f"bad{i},\n" for i in range(8))
    with pytest.raises(WaitingListError) as refused:
        parse(text)
    message = str(refused.value)
    assert "Line 2: “bad0”" in message and "Line 6: “bad4”" in message
    assert "Line 7" not in message and "And 3 more lines like these." in message


def test_decoding():
    assert decode("\ufeffreferral,removal\n".encode()) == "referral,removal\n"
    with pytest.raises(WaitingListError, match="not UTF-8 text .* line 2"):
        decode("referral,removal\n2024-01-01,caf\xe9\n".encode("latin-1"))
    with pytest.raises(WaitingListError, match="5.0 MB: the limit is 5 MB"):
        decode(b"x" * 5_000_001)
    with pytest.raises(WaitingListError, match="not a CSV"):
        decode(b"PK\x03\x04\x00\x00")


# --- The projection ------------------------------------------------------------------------


def test_projection_at_todays_rates_and_at_the_relief_capacity():
    result = calculate(Inputs(30, 27, 18, queue=1200))
    projection = project(result)
    assert projection.weeks == 26
    assert projection.today[0] == 1200 and projection.today[26] == 1200 + 26 * 3
    assert projection.relief[0] == 1200
    assert projection.relief[26] == approx(135)  # the target size, after 26 weeks
    shorter = project(calculate(Inputs(30, 27, 18, queue=1200, time_to_target=10)))
    assert shorter.relief[10] == approx(135) and shorter.relief[20] == approx(135)
    shrinking = project(calculate(Inputs(30, 60, 18, queue=100)))
    assert shrinking.today[-1] == 0  # never below nobody
    assert shrinking.relief is None  # within the target: no relief needed
    assert project(calculate(Inputs(30, 27, 18))) is None
    longer = project(calculate(Inputs(30, 27, 18, queue=1200, time_to_target=40)))
    assert longer.weeks == 40 and longer.relief[40] == approx(135)
