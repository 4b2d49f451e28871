"""The variation and assurance symbols shown beside an XmR chart, as small inline SVGs.

These carry the meaning of NHS England's Making Data Count icons (what the latest point
shows, and whether a target will be met), drawn in our own way, not copies of their
artwork: a circle in the type's colour with an arrow up or down, a level line for
common cause, a tick, a cross or a wave for the assurance. Each has a title and a text
label, so nothing depends on colour or on seeing it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from guides.measurement.markers import CONCERN, IMPROVEMENT, INK, NEUTRAL, TYPE_STYLES
from guides.measurement.runchart import ASSURANCE_WORDS, VARIATION_WORDS, Analysis

GREY = "#768692"
PASS = "#007f3b"
FAIL = CONCERN
MIXED = "#425563"

_COLOURS = {
    "common_cause": GREY,
    "special_cause_improvement": IMPROVEMENT,
    "special_cause_concern": CONCERN,
    "special_cause_neutral_high": NEUTRAL,
    "special_cause_neutral_low": NEUTRAL,
}
_UP = '<path d="M24 12 L33 24 H27 V36 H21 V24 H15 Z" fill="{ink}"/>'
_DOWN = '<path d="M24 36 L33 24 H27 V12 H21 V24 H15 Z" fill="{ink}"/>'
_LEVEL = '<path d="M12 24 H36" stroke="{ink}" stroke-width="4" stroke-linecap="round"/>'
_TICK = (
    '<path d="M14 25 L21 32 L35 16" fill="none" stroke="{ink}" stroke-width="5" '
    'stroke-linecap="round" stroke-linejoin="round"/>'
)
_CROSS = (
    '<path d="M16 16 L32 32 M32 16 L16 32" stroke="{ink}" stroke-width="5" stroke-linecap="round"/>'
)
_WAVE = (
    '<path d="M11 24 C15 14 19 14 24 24 S33 34 37 24" fill="none" stroke="{ink}" '
    'stroke-width="4" stroke-linecap="round"/>'
)


def _svg(css: str, label: str, fill: str, inner: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="48" height="48" '
        f'role="img" aria-label="{escape(label)}" class="rc-icon {css}" focusable="false">'
        f"<title>{escape(label)}</title>"
        f'<circle cx="24" cy="24" r="22" fill="{fill}" stroke="{INK}" stroke-width="2"/>'
        f"{inner.format(ink=INK)}</svg>"
    )


def _is_high(kind: str, direction: str) -> bool:
    if kind == "special_cause_neutral_high":
        return True
    if kind == "special_cause_neutral_low":
        return False
    improvement = kind == "special_cause_improvement"
    return improvement == (direction != "decrease")


def variation_icon(kind: str, direction: str = "neutral") -> str:
    """The symbol for the latest point's type: an arrow up or down for a special cause."""
    name = VARIATION_WORDS.get(kind, VARIATION_WORDS["common_cause"])[0]
    if kind not in TYPE_STYLES or kind == "common_cause":
        return _svg("rc-icon-common_cause", name, GREY, _LEVEL)
    high = _is_high(kind, direction)
    label = f"{name} ({'higher' if high else 'lower'})" if "neutral" not in kind else name
    return _svg(f"rc-icon-{kind}", label, _COLOURS[kind], _UP if high else _DOWN)


def assurance_icon(kind: str) -> str:
    name = ASSURANCE_WORDS[kind][0]
    fill, inner = {
        "consistent_pass": (PASS, _TICK),
        "consistent_fail": (FAIL, _CROSS),
        "inconsistent": ("#ffffff", _WAVE),
    }[kind]
    if kind == "consistent_pass":
        inner = inner.replace("{ink}", "#ffffff")
    return _svg(f"rc-icon-{kind}", name, fill, inner)


def icons(analysis: Analysis) -> list[dict]:
    """The symbols to show beside the chart, each with its words: [] for a run chart."""
    if analysis.chart != "xmr" or not analysis.variation:
        return []
    out = [
        {
            "what": "Variation",
            "svg": variation_icon(analysis.variation, analysis.direction),
            "name": VARIATION_WORDS[analysis.variation][0],
            "meaning": VARIATION_WORDS[analysis.variation][1],
        }
    ]
    if analysis.assurance:
        out.append(
            {
                "what": "Assurance",
                "svg": assurance_icon(analysis.assurance),
                "name": ASSURANCE_WORDS[analysis.assurance][0],
                "meaning": ASSURANCE_WORDS[analysis.assurance][1],
            }
        )
    return out
