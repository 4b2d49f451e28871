"""The Making Data Count settings as they arrive in an address (the API's GET parameters)
and as the chart maker's form and stored charts pass them on: improvement direction,
target, phases (rebase), baseline and screening.

Every problem becomes a warning in plain words; nothing here raises.
"""

from __future__ import annotations

from collections.abc import Mapping

from guides.measurement.runchart import DIRECTIONS, MAX_POINTS, parse_number

TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")


def _clip(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def int_list(text: str) -> tuple[list[int], list[str]]:
    """Whole numbers separated by commas or semicolons, and the tokens that were not."""
    found, bad = [], []
    for token in text.replace(";", ",").split(","):
        token = token.strip()
        if not token:
            continue
        if token.isdigit() and len(token) <= 6:
            found.append(int(token))
        else:
            bad.append(token)
    return found, bad


def parse_target(text: str) -> tuple[float | None, str | None]:
    """A target from text ("95", "95%", "1,200"), or None with the reason it was refused."""
    text = (text or "").strip()
    if not text:
        return None, None
    parsed = parse_number(text)
    if parsed is None:
        return None, f"The target “{_clip(text)}” is not a number, so no target is drawn."
    return parsed[0], None


def parse_screen(text: str) -> tuple[bool, str | None]:
    value = (text or "").strip().lower()
    if value in TRUE:
        return True, None
    if value in FALSE:
        return False, None
    return False, f"screen takes 1 or 0, not “{_clip(text)}”: moving ranges are not screened."


def api_options(params: Mapping[str, str], count: int) -> tuple[dict, list[str]]:
    """Keyword arguments for `analyse` from the API's parameters, and warnings.

    `rebase` and `astronomical` count points from 0, as the API's answers do.
    """
    warnings: list[str] = []
    options: dict = {}
    raw_baseline = (params.get("baseline") or "").strip()
    if raw_baseline:
        if raw_baseline.isdigit() and len(raw_baseline) <= 6:
            options["baseline"] = int(raw_baseline)
        else:
            warnings.append(
                f"baseline “{_clip(raw_baseline)}” is not a whole number: all the points are used."
            )
    marked, bad = int_list(params.get("astronomical") or "")
    if bad or any(i >= count for i in marked):
        warnings.append(
            "astronomical takes zero-based point numbers within the data; others were ignored."
        )
    options["astronomical"] = marked
    starts, bad = int_list(params.get("rebase") or "")
    if bad:
        warnings.append(
            "rebase takes the zero-based numbers of the points where a new phase starts, "
            f"separated by commas: “{_clip(bad[0])}” was ignored."
        )
    options["rebase"] = [i for i in starts if i <= MAX_POINTS * 10]
    direction = (params.get("direction") or "neutral").strip().lower()
    if direction not in DIRECTIONS:
        warnings.append(
            f"direction “{_clip(direction)}” is not increase, decrease or neutral: neutral is used."
        )
        direction = "neutral"
    options["direction"] = direction
    target, problem = parse_target(params.get("target") or "")
    if problem:
        warnings.append(problem)
    options["target"] = target
    screen, problem = parse_screen(params.get("screen") or "")
    if problem:
        warnings.append(problem)
    options["screen"] = screen
    return options, warnings
