"""The demand and capacity calculator's two forms: weekly numbers (a GET form, so the
address carries them) and a waiting list file or pasted columns (posted).

Every field is kept as typed (text fields), so a problem never loses what was entered;
the numbers are read by `guides.measurement.capacity.read_inputs`, which the API uses
too, so both refuse the same things in the same words.
"""

from __future__ import annotations

from django import forms

from guides.measurement.capacity import (
    FIELD_NAMES,
    Inputs,
    Stats,
    WaitingListError,
    decode,
    parse,
    read_inputs,
    stats,
)

NUMBER = {"inputmode": "decimal", "class": "input-short", "autocomplete": "off"}


def _number(label: str, help_text: str = "", required: bool = False) -> forms.CharField:
    return forms.CharField(
        required=False,  # read_inputs says what is missing, in its own words
        max_length=40,
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={**NUMBER, **({"aria-required": "true"} if required else {})}),
        error_messages={"max_length": "Keep this to a number, such as 30."},
    )


class _Numbers(forms.Form):
    target_wait = _number(
        "The target wait, in weeks",
        "For example 18 for the 18-week referral to treatment target.",
        True,
    )
    factor = _number(
        "Variation factor (optional)",
        "How many times the mean wait the target wait should be. 4 unless you have a reason: "
        "with a mean wait of a quarter of the target, about 2 in 100 wait longer than it.",
    )
    time_to_target = _number(
        "Weeks to bring the list down to its target size (optional)",
        "26 unless you choose otherwise.",
    )
    id_prefix = "cap"

    def __init__(self, *args, **kwargs) -> None:
        # Both forms are on one page and share field names: their ids must differ.
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)

    def inputs_from(self, given: dict[str, float]) -> Inputs | None:
        data = {name: self.cleaned_data.get(name, "") for name in FIELD_NAMES}
        inputs, errors = read_inputs(data, given)
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        return inputs


class WeeklyForm(_Numbers):
    id_prefix = "weekly"
    demand = _number(
        "Demand: how many join the list each week", "New referrals, on average, per week.", True
    )
    capacity = _number(
        "Capacity: how many you see (or take off the list) each week",
        "Your activity, on average, per week. If you know only your planned capacity, use that.",
        True,
    )
    queue = _number("How many are waiting now (optional)", "The size of your waiting list today.")
    mean_wait = _number(
        "The mean wait of those waiting, in weeks (optional)",
        "How long, on average, the people on the list have waited so far.",
    )
    cv_demand = _number(
        "Variation in demand (optional)",
        "Its coefficient of variation: the standard deviation of the gaps between referrals "
        "divided by their mean. 1 unless you know it.",
    )
    cv_capacity = _number(
        "Variation in capacity (optional)",
        "The same for the gaps between people seen. 1 unless you know it.",
    )
    field_order = [
        "demand", "capacity", "target_wait", "queue", "mean_wait", "factor", "cv_demand",
        "cv_capacity", "time_to_target",
    ]  # fmt: skip

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors:
            cleaned["inputs"] = self.inputs_from({})
        return cleaned


class FileForm(_Numbers):
    id_prefix = "file"
    waiting_list = forms.FileField(
        required=False,
        label="A waiting list file (CSV)",
        help_text=(
            "One row per referral, with a header row. A column called referral (the date each "
            "person joined the list) and one called removal (the date they left it, blank if "
            "still waiting); other columns are ignored. Dates as 2024-03-31 or 31/03/2024. "
            "Up to 5 MB, saved as CSV UTF-8."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        error_messages={
            "empty": "The file is empty: choose the file with your waiting list in it.",
            "invalid": "That is not a file we can read. Choose a CSV file.",
        },
    )
    pasted = forms.CharField(
        required=False,
        strip=False,
        label="Or paste two columns from a spreadsheet",
        help_text=(
            "The referral date, then the removal date (blank if still waiting), one person a "
            "line. A header row is optional."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 40, "spellcheck": "false"}),
    )
    field_order = ["waiting_list", "pasted", "target_wait", "factor", "time_to_target"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload = cleaned.get("waiting_list")
        pasted = cleaned.get("pasted") or ""
        messages: list[str] = []
        try:
            if upload:
                if upload.size > 5_000_000:
                    raise WaitingListError(
                        f"The file is {upload.size / 1_000_000:.1f} MB: the limit is 5 MB. "
                        "Leave out the columns the calculator does not need (keep the referral "
                        "and removal dates)."
                    )
                waiting = parse(decode(upload.read()))
                if pasted.strip():
                    messages.append("The answer uses the uploaded file, not the pasted dates.")
                field = "waiting_list"
            elif pasted.strip():
                waiting = parse(pasted, header_required=False)
                field = "pasted"
            else:
                self.add_error(
                    "waiting_list", "Choose a waiting list file, or paste two columns of dates."
                )
                return cleaned
        except WaitingListError as problem:
            self.add_error("pasted" if not upload else "waiting_list", str(problem))
            return cleaned
        figures = stats(waiting)
        if figures.removals == 0:
            self.add_error(
                field,
                "Nobody in the file has a removal date, so there is nothing to measure your "
                "capacity from. Fill in the removal date of those who have left the list.",
            )
            return cleaned
        cleaned["stats"] = figures
        cleaned["messages"] = messages + waiting.messages + stats_messages(figures)
        cleaned["inputs"] = self.inputs_from(given_from(figures))
        return cleaned


def given_from(figures: Stats) -> dict[str, float]:
    """The numbers a waiting list file gives; the variation is 1 where it cannot tell."""
    return {
        "demand": figures.demand,
        "capacity": figures.capacity,
        "queue": float(figures.queue),
        "mean_wait": figures.mean_wait if figures.mean_wait is not None else 0.0,
        "cv_demand": figures.cv_demand if figures.cv_demand is not None else 1.0,
        "cv_capacity": figures.cv_capacity if figures.cv_capacity is not None else 1.0,
    }


def stats_messages(figures: Stats) -> list[str]:
    messages = []
    if figures.cv_demand is None:
        messages.append(
            "There are too few different referral dates to measure the variation in demand: "
            "1 is used."
        )
    if figures.cv_capacity is None:
        messages.append(
            "There are too few different removal dates to measure the variation in capacity: "
            "1 is used."
        )
    if figures.queue == 0:
        messages.append("Nobody in the file is still waiting, so the mean wait is 0.")
    return messages
