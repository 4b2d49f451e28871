"""The content agrees with itself (issue 16): each key number is stated once, in
fixtures/facts.yaml, and checked wherever the guides, tools and glossary repeat it; every
worked example that claims a run chart signal carries its own numbers, and the chart
maker's rules find that signal in them."""

from __future__ import annotations

import html as htmllib
import re
from functools import cache

import pytest
import yaml
from django.conf import settings

from guides.library import markup
from guides.library.models import GlossaryTerm, Guide, Tool
from guides.library.worksheets import Sheet
from guides.measurement import runchart

pytestmark = pytest.mark.django_db

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}
BLOCK = re.compile(
    r"</?(?:p|li|ul|ol|h[1-6]|tr|table|thead|tbody|dt|dd|dl|blockquote|pre|div)\b[^>]*>", re.I
)
CELL_END = re.compile(r"</t[dh]>", re.I)
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(*])")
FIGURE = re.compile(r"\d+(?:\.\d+)?")
# A worked example saying its run chart shows a signal: "a clear shift", "showed a shift".
CLAIM = re.compile(
    r"\b(?:a|clear|sustained|lasting|downward|upward|shows?|showed)\s+"
    r"(?:(?:clear|sustained|lasting|downward|upward)\s+)*(shift|trend)s?\b",
    re.I,
)
RULE_WORD = re.compile(r"\b(shift|trend)s?\b", re.I)
# "Six or more points in a row all above...": a rule's count (not "one or more points in a
# row on the same side", a run, nor "two or more points ... the same value", a tie).
OR_MORE = re.compile(
    r"\b(\w+) or more (?:consecutive )?points (?:in a row )?"
    r"(?:all\b|above|below|going|heading|on (?:one|the wrong) side)",
    re.I,
)
TOOLTIP = re.compile(r'<span class="term-tip"[^>]*>.*?</span>', re.S)


@cache
def facts() -> dict:
    return yaml.safe_load((settings.CONTENT_DIR / "facts.yaml").read_text(encoding="utf-8"))


def number(word: str) -> float | None:
    word = word.lower().replace(",", "")
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    return float(word) if FIGURE.fullmatch(word) else None


def blocks(fragment: str) -> list[str]:
    """The text of each paragraph, list item, heading and table row (cells split by |)."""
    parts = BLOCK.split(CELL_END.sub(" | ", TOOLTIP.sub("", fragment)))
    texts = (markup.html_to_text(p).strip(" |") for p in parts)
    return [t for t in texts if t]


def sentences(fragment: str) -> list[str]:
    return [s for b in blocks(fragment) for s in SENTENCE_BREAK.split(b)]


def tool_sections(tool: Tool) -> dict[str, str]:
    """A tool's HTML by section: "" for the whole, then each h2's id."""
    parts = re.split(r'(?=<h2 id="([^"]+)")', tool.html)
    sections = {"": tool.html}
    for anchor, body in zip(parts[1::2], parts[2::2], strict=False):
        sections[anchor] = body
    return sections


def worksheet_html(sheet: Sheet) -> str:
    """A template's words as simple HTML: its intro, each part's heading, note, items and
    rows (cells ending in </td>, as the page's table has them)."""
    esc = htmllib.escape
    html = [f"<p>{esc(sheet.intro)}</p>"] if sheet.intro else []
    for part in sheet.parts:
        html += [f"<p>{esc(t)}</p>" for t in (part.heading, part.note) if t]
        html += [f"<li>{esc(item)}</li>" for item in part.items]
        if part.columns:
            html.append(
                "<tr>" + "".join(f"<th>{esc(c.label)}</th>" for c in part.columns) + "</tr>"
            )
        for row in part.rows:
            cells = row if isinstance(row, list) else [row]
            html.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + "</tr>")
    return "".join(html)


@cache
def places() -> dict[str, str]:
    """The HTML of every place a fact can be stated, by the names facts.yaml uses."""
    found: dict[str, str] = {}
    for guide in Guide.objects.prefetch_related("sections"):
        front = "".join(
            f"<p>{htmllib.escape(t)}</p>"
            for t in (guide.purpose, guide.summary, guide.plain_summary)
        )
        parts = list(guide.sections.order_by("order"))
        found[f"guide:{guide.slug}"] = front + "".join(s.html for s in parts)
        for section in parts:
            found[f"guide:{guide.slug}#{section.anchor}"] = section.html
    for tool in Tool.objects.all():
        front = f"<p>{htmllib.escape(tool.summary)}</p>"
        for anchor, fragment in tool_sections(tool).items():
            found[f"tool:{tool.slug}" + (f"#{anchor}" if anchor else "")] = (
                front + fragment if not anchor else fragment
            )
        sheet = Sheet.from_json(tool.worksheet)
        if sheet:  # the template, defined in fixtures/templates/ and shown on the page
            found[f"tool:{tool.slug}#template"] = worksheet_html(sheet)
            found[f"tool:{tool.slug}"] += found[f"tool:{tool.slug}#template"]
    for term in GlossaryTerm.objects.all():
        found[f"term:{term.slug}"] = (
            f"<p>{htmllib.escape(term.term)}: {htmllib.escape(term.definition)}</p>"
        )
    return found


def whole_places() -> dict[str, str]:
    return {name: html for name, html in places().items() if "#" not in name}


@pytest.fixture(autouse=True)
def _fresh_places():
    places.cache_clear()
    yield
    places.cache_clear()


# Key numbers ---------------------------------------------------------------------------

PATTERN_FACTS = [f for f in facts()["numbers"] if "pattern" in f]
RULE_FACTS = [f for f in facts()["numbers"] if "rule" in f]


@pytest.mark.parametrize("fact", PATTERN_FACTS, ids=[f["fact"] for f in PATTERN_FACTS])
def test_each_key_number_is_the_same_wherever_it_is_stated(fact):
    pattern = re.compile(fact["pattern"], re.I)
    near = re.compile(fact["near"], re.I) if fact.get("near") else None
    not_near = re.compile(fact["not_near"], re.I) if fact.get("not_near") else None
    stated: dict[str, list] = {}
    wrong = []
    for name, fragment in whole_places().items():
        for sentence in sentences(fragment):
            if name not in fact["in"] and not (near and near.search(sentence)):
                continue
            if not_near and not_near.search(sentence):
                continue
            if fact.get("only_near") and not near.search(sentence):
                continue
            for match in pattern.finditer(sentence):
                values = [number(g) for g in match.groups() if g is not None]
                if not values or None in values:
                    continue  # words, not numbers: not a statement of the fact
                stated.setdefault(name, []).append(values)
                if values != fact["value"]:
                    wrong.append((name, values, sentence))
    assert not wrong, f"{fact['fact']}: should be {fact['value']}: {wrong}"
    missing = [name for name in fact["in"] if name not in stated]
    assert not missing, f"{fact['fact']} is not stated in {missing}"


@pytest.mark.parametrize(
    "fact", [f for f in facts()["numbers"] if "names" in f], ids=lambda f: f["fact"]
)
def test_named_parts_are_named_the_same_everywhere(fact):
    for name in fact.get("names_in", fact["in"]):
        text = " ".join(blocks(places()[name])).casefold()
        missing = [part for part in fact["names"] if part.casefold() not in text]
        assert not missing, f"{name} does not name {missing} ({fact['fact']})"
        assert len(fact["names"]) == fact["value"][0], fact["fact"]


def rule_counts() -> list[tuple[str, str, float, str]]:
    """Every "N or more points" in the content, with the run chart rule it belongs to
    (the nearest "shift" or "trend" before it in its paragraph, else after it)."""
    counts = []
    for name, fragment in whole_places().items():
        default = name.removeprefix("term:") if name in ("term:shift", "term:trend") else ""
        for block in blocks(fragment):
            words = [(m.start(), m.group(1).lower()) for m in RULE_WORD.finditer(block)]
            for m in OR_MORE.finditer(block):
                value = number(m.group(1))
                start = max(
                    (s.end() for s in SENTENCE_BREAK.finditer(block, 0, m.start())), default=0
                )
                sentence = SENTENCE_BREAK.split(block[start:], maxsplit=1)[0]
                if value is None or (
                    re.search(r"\bmean\b|Making Data Count", sentence) and "median" not in sentence
                ):
                    continue  # the SPC rules count points about the mean, differently
                before = [w for at, w in words if at < m.start()]
                after = [w for at, w in words if at > m.start()]
                rule = before[-1] if before else after[0] if after else default
                if rule:
                    counts.append((name, rule, value, block))
    return counts


@pytest.mark.parametrize("fact", RULE_FACTS, ids=[f["rule"] for f in RULE_FACTS])
def test_the_run_chart_rules_have_one_point_count_everywhere(fact):
    counts = [c for c in rule_counts() if c[1] == fact["rule"]]
    wrong = [c for c in counts if [c[2]] != fact["value"]]
    assert not wrong, f"a {fact['rule']} is {fact['value'][0]} or more points: {wrong}"
    missing = [name for name in fact["in"] if name not in {c[0] for c in counts}]
    assert not missing, f"{fact['fact']} is not stated in {missing}"


def test_the_collaborative_timetable_is_the_same_everywhere():
    months = {event.lower(): month for event, month in facts()["collaborative_months"].items()}
    ordinals = {"first": "1", "second": "2", "third": "3"}
    event = r"(learning session \d|summative congress)"
    patterns = [
        (re.compile(rf"\bmonth (\d+)\W+{event}", re.I), (2, 1)),
        (re.compile(rf"{event}, in month (\d+)", re.I), (1, 2)),
        (re.compile(r"^(\d+) \| (learning session \d|summative congress)\b", re.I), (2, 1)),
        (re.compile(r"\b(first|second|third) learning session, in month (\d+)", re.I), (1, 2)),
        (re.compile(r"\bthe (congress), in month (\d+)", re.I), (1, 2)),
    ]
    for name in facts()["collaborative_timetable_in"]:
        found = []
        for block in blocks(places()[name]):
            for pattern, (what, when) in patterns:
                for m in pattern.finditer(block):
                    label = m.group(what).lower()
                    label = {"congress": "summative congress"}.get(label, label)
                    if label in ordinals:
                        label = f"learning session {ordinals[label]}"
                    found.append((label, int(m.group(when)), block))
        wrong = [f for f in found if months.get(f[0]) != f[1]]
        assert not wrong, f"{name}: the timetable is {months}: {wrong}"
        assert {f[0] for f in found} == set(months), (name, found)


def test_six_hats_plan_adds_up_to_the_session_length():
    (fact,) = [f for f in facts()["numbers"] if f["fact"].startswith("minutes in the six")]
    rows = [b for b in blocks(places()["tool:six-thinking-hats#template"]) if "minutes" in b]
    minutes = [int(m) for row in rows for m in re.findall(r"\| (\d+) minutes\b", row)]
    assert len(minutes) == len(rows) >= 6, rows
    assert [sum(minutes)] == fact["value"]


def number_fact(prefix: str) -> list:
    (value,) = [f["value"] for f in facts()["numbers"] if f["fact"].startswith(prefix)]
    return value


def test_the_chart_maker_and_the_spc_tool_use_the_xmr_facts():
    """The chart maker draws the limits, the near lines and the rules the content states."""
    from guides.measurement.runchart import rules

    (scale,) = number_fact("average moving ranges from the mean")
    assert rules.XMR_SCALE == scale
    assert rules.MIN_XMR_BASELINE == number_fact("points needed to set XmR")[0]
    assert rules.DEFAULT_RULES["xmr"] == f"mdc{number_fact('points in an SPC run')[0]}"
    # The two-sigma lines sit two thirds of the way out to the limits.
    near = [
        float(m)
        for s in sentences(places()["tool:spc-charts"])
        if re.search(r"two-sigma|two-thirds", s)
        for m in re.findall(r"(\d+\.\d+) × average moving range", s)
    ]
    assert near and set(near) == {round(scale * 2 / 3, 2)}, near


# The runs table -------------------------------------------------------------------------


def runs_table_on_the_page() -> dict[int, list[int]]:
    table = {}
    for row in blocks(places()["tool:run-charts"]):
        cells = [c.strip() for c in row.split("|")]
        if len(cells) == 3 and all(c.isdigit() for c in cells):
            table[int(cells[0])] = [int(cells[1]), int(cells[2])]
    return table


def test_the_run_charts_tool_prints_the_published_runs_table():
    expected = {int(k): v for k, v in facts()["runs_table"].items()}
    assert runs_table_on_the_page() == expected
    for low, high in expected.values():
        assert low < high


def test_the_runs_rule_is_described_as_the_chart_maker_works():
    table = {int(k): v for k, v in facts()["runs_table"].items()}
    last = facts()["runs_table_last_row"]
    tool = " ".join(blocks(places()["tool:run-charts"]))
    # The sizes where copies of the table disagree are exactly those missing from it.
    gaps = [n for n in range(10, max(table) + 1) if n not in table]
    said = re.search(r"Copies of the table differ at ([\d, and]+) useful points and from "
                     r"(\d+) to (\d+)", tool)  # fmt: skip
    assert said, "the run charts tool must say where copies of the table differ"
    assert [int(n) for n in re.findall(r"\d+", said.group(1))] == gaps
    assert (int(said.group(2)), int(said.group(3))) == (max(table) + 1, last)
    assert f"more than {last} useful points" in tool and "Swed and Eisenhart" in tool
    example = re.search(r"with (\d+) useful points and (\d+) runs the table shows no signal", tool)
    assert example, "the tool's example of the table and the exact sum differing"
    low, high = table[int(example.group(1))]
    assert low <= int(example.group(2)) <= high
    guide = " ".join(blocks(places()["guide:measurement-for-improvement"]))
    quoted = re.findall(r"for (\d+) such points, (\d+) to (\d+) runs", guide)
    assert quoted, "guide 2 quotes one row of the table"
    for points, low, high in quoted:
        assert table[int(points)] == [int(low), int(high)]


def test_the_runs_table_is_the_one_the_chart_maker_uses():
    """Once the chart maker holds the published table (issue 14), both must agree."""
    runs = pytest.importorskip(
        "guides.measurement.runchart.runs", reason="the chart maker has no published table yet"
    )
    expected = {int(k): tuple(v) for k, v in facts()["runs_table"].items()}
    assert dict(runs.PUBLISHED_RUNS) == expected
    assert runs.PUBLISHED_RUNS_MAX == facts()["runs_table_last_row"]


# Worked examples ------------------------------------------------------------------------

EXAMPLES = facts()["run_chart_examples"]


def figures(text: str) -> list[float]:
    return [float(f) for f in FIGURE.findall(re.sub(r"(?<=\d),(?=\d{3}\b)", "", text))]


def in_order(wanted: list[float], found: list[float]) -> bool:
    it = iter(found)
    return all(any(v == f for f in it) for v in wanted)


@pytest.mark.parametrize(
    "example",
    EXAMPLES,
    ids=[f"{e['in']}{' ' + e['what'] if 'what' in e else ''}" for e in EXAMPLES],
)
def test_each_worked_example_claim_holds_by_the_run_chart_rules(example):
    text = " ".join(blocks(places()[example["in"]]))
    values = [float(v) for v in example["values"]]
    assert in_order(values, figures(text)), f"{example['in']} does not give these numbers"
    analysis = runchart.analyse(values, chart="run", rules="ihi", baseline=example.get("baseline"))
    found = {s.rule for s in analysis.signals}
    for rule in example.get("signals", []):
        assert rule in found, f"{example['in']}: no {rule} in {values} (found {found})"
    for rule in example.get("no_signals", []):
        assert rule not in found, f"{example['in']}: the rules find a {rule} in {values}"
    if "last" in example:
        centre = runchart.median(values[: example.get("baseline") or len(values)])
        tail = values[-example["last"]["points"] :]
        side = 1 if example["last"]["side"] == "above" else -1
        assert all((v - centre) * side > 0 for v in tail), (example["in"], centre, tail)


def test_every_run_chart_claim_in_a_worked_example_has_its_numbers():
    covered: dict[str, set[str]] = {}
    for example in EXAMPLES:
        covered.setdefault(example["in"], set()).update(example.get("signals", []))
    unbacked = []
    for name, fragment in places().items():
        if not (
            name.endswith("#worked-example")
            or (name.startswith("tool:") and name.endswith("#example"))
        ):
            continue
        for sentence in sentences(fragment):
            for claim in CLAIM.finditer(sentence):
                rule = claim.group(1).lower()
                if rule not in covered.get(name, set()):
                    unbacked.append((name, rule, sentence))
    assert not unbacked, f"claims with no numbers in fixtures/facts.yaml: {unbacked}"


# Demand and capacity sums --------------------------------------------------------------


def table_rows(name: str) -> list[list[str]]:
    return [[c.strip() for c in b.split("|")] for b in blocks(places()[name]) if " | " in b]


def test_the_demand_and_capacity_table_example_adds_up():
    """Activity is capacity less DNAs, the backlog moves by demand less activity, and the
    totals are the sums: so the text can say where the lost activity went."""
    rows = table_rows("tool:demand-and-capacity-tables#example")
    header, *body = rows
    assert header == ["Week", "Demand", "Capacity", "DNAs", "Activity", "Backlog at end"]
    start = int(body[0][-1])
    weeks = [[int(c) for c in row[1:]] for row in body[1:] if row[0].isdigit()]
    (total,) = [[int(c) for c in row[1:5]] for row in body if row[0] == "Total"]
    backlog = start
    for demand, capacity, dnas, activity, end in weeks:
        assert activity == capacity - dnas
        backlog += demand - activity
        assert end == backlog
    assert total == [sum(w[i] for w in weeks) for i in range(4)]
    text = " ".join(blocks(places()["tool:demand-and-capacity-tables#example"]))
    demand, capacity, dnas, activity = total
    assert f"Capacity ({capacity}) almost matched demand ({demand})" in text
    assert f"The gap between capacity and activity was all DNAs: {dnas} slots" in text
    assert capacity - activity == dnas
    assert f"activity was only {activity}, and the list grew by {backlog - start}" in text


def test_guide_3s_clinic_sums_add_up():
    rows = {
        r[0]: int(r[1].lstrip("+"))
        for r in table_rows("guide:matching-capacity-and-demand#worked-example")
        if len(r) == 2 and r[1].lstrip("+-").isdigit()
    }
    offered = rows["Capacity on paper"] - rows["Lost to short-notice cancellations"]
    assert rows["Offered"] == offered
    assert rows["Seen (activity)"] == offered - rows["Lost to DNAs (10%)"]
    assert rows["Lost to DNAs (10%)"] == round(offered * 0.10)
    assert rows["Change in the waiting list"] == rows["Demand"] - rows["Seen (activity)"]
