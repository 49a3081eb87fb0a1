"""Open SDG's progress status of one annual series (DOMAIN.md §8).

The method is sdg-build's ``sdg/ProgressMeasure.py`` at commit 139fede7 (Statistics Canada's
progress measure), reproduced rather than imported because sdg-build reads Open SDG indicator
files, not a warehouse:

- growth(v1, v0, t1, t0) = (v1 / v0) ** (1 / (t1 - t0)) - 1 (a compound annual growth rate, CAGR);
- the base year is the goal's baseline year, or the next year with data when it has none; the
  current year is the latest year with data; a base value of 0 is taken as 0.001, a target of 0 as 0.001;
- no target (method 1): progress = sign × direction × CAGR_observed, against 0.015 / 0.005 / 0;
- a target (method 2): progress = sign × direction × CAGR_observed / |CAGR_required|, where
  CAGR_required = growth(target, base value, target year, base year), against 0.95 / 0.6 / 0;
- ``target_achieved`` when the current value is at or below the target (a decrease) or at or above it
  (an increase); as in sdg-build it wins over the progress value, even over none: a single year of data
  that already meets the target is ``target_achieved``, not ``not_available``;
- otherwise fewer than 2 years (current year = base year), no year in or after the base year, or a base
  and current value of opposite signs: no progress value, so ``not_available``.

sdg-build's optional ``limit`` (a floor that shrinks method 1's thresholds) is not offered: the goals
registry has no column for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Method 1 (no target) and method 2 (a target) thresholds: ProgressMeasure.get_progress_thresholds.
THRESHOLDS_NO_TARGET = {"high": 0.015, "med": 0.005, "low": 0.0}
THRESHOLDS_TARGET = {"high": 0.95, "med": 0.6, "low": 0.0}
ZERO_REPLACEMENT = 0.001  # ProgressMeasure: a target or base value of 0 is taken as 0.001

# Open SDG's English labels for the statuses. "Target achieved" and "Not available" are
# open-sdg/sdg-translations translations/en/status.yml (commit 078cc75e: progress_target_achieved,
# progress_not_available), found with the search tool. The stored versions of that file (and of
# open-sdg/translations-open-sdg's) carry no label for the four progress bands: the first two below are
# the labels the issue quotes from status.yml, the last two are the status names in words, NOT checked
# against a published file.
LABELS = {
    "target_achieved": "Target achieved",
    "substantial_progress": "Substantial progress/on track",
    "moderate_progress": "Moderate progress/acceleration needed",
    "limited_progress": "Limited progress",
    "deterioration": "Deterioration",
    "not_available": "Not available",
}
STATUSES = tuple(LABELS)


@dataclass(frozen=True)
class Progress:
    """The status of one series and everything it was decided from."""

    status: str  # one of STATUSES
    label: str  # Open SDG's public label of the status
    rule: str  # the decision in one sentence, with its numbers
    method: int | None  # 1: no target, 2: a target; None when there was nothing to judge
    cagr_observed: float | None
    cagr_required: float | None  # method 2 only
    ratio: float | None  # method 2: CAGR_observed / |CAGR_required| with sign and direction
    progress_value: float | None  # the number compared with the thresholds (the ratio, or method 1's signed CAGR)
    thresholds: dict[str, float] = field(default_factory=dict)
    base_year: int | None = None  # the years used (the base year may be later than the goal's baseline)
    current_year: int | None = None
    base_value: float | None = None
    current_value: float | None = None
    target: float | None = None  # the target as used (0 taken as 0.001)
    target_year: int | None = None
    target_achieved: bool = False


def growth(v1: float, v0: float, t1: float, t0: float) -> float:
    """Compound annual growth from (t0, v0) to (t1, v1): sdg-build's ``growth_calculation``."""
    return (v1 / v0) ** (1 / (t1 - t0)) - 1


def status_for(value: float | None, thresholds: dict[str, float], target_achieved: bool = False) -> str:
    """sdg-build's ``get_progress_status``: target achieved first, then the bands, else not available."""
    if target_achieved:
        return "target_achieved"
    if value is None:
        return "not_available"
    if value >= thresholds["high"]:
        return "substantial_progress"
    if value >= thresholds["med"]:
        return "moderate_progress"
    if value >= thresholds["low"]:
        return "limited_progress"
    return "deterioration"


def pct(value: float) -> str:
    """A yearly rate as a signed percentage with a true minus sign: -0.0413 -> "−4.1%"."""
    return f"{value:+.1%}".replace("-", "\u2212")


def num(value: float) -> str:
    """A value for a sentence: up to 4 significant digits, thousands separated, true minus sign."""
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return text.replace("-", "\u2212")


def _band(value: float, thresholds: dict[str, float], as_pct: bool) -> str:
    show = (lambda v: f"{v:.1%}") if as_pct else (lambda v: f"{v:g}")
    high, med, low = (show(thresholds[k]) for k in ("high", "med", "low"))
    if value >= thresholds["high"]:
        return f"at least {high}"
    if value >= thresholds["med"]:
        return f"between {med} and {high}"
    if value >= thresholds["low"]:
        return f"between {low} and {med}"
    return f"below {low}"


def _not_available(rule: str, **known) -> Progress:
    return Progress(status="not_available", label=LABELS["not_available"], rule=rule, method=known.pop("method", None),
                    cagr_observed=None, cagr_required=None, ratio=None, progress_value=None, **known)


def measure_progress(
    series: Sequence[tuple[int, float]],
    direction: str,
    base_year: int,
    target_year: int,
    target: float | None = None,
) -> Progress:
    """Open SDG's status of ``series`` ((year, value) pairs, complete years only) for a goal.

    ``direction`` is the registry's ``decrease`` or ``increase`` (sdg-build's negative or positive);
    ``target`` is the absolute target value, or None for a direction-only goal (method 1).
    """
    if direction not in ("decrease", "increase"):
        raise ValueError(f"direction must be 'decrease' or 'increase', not {direction!r}")
    sign_of_direction = 1 if direction == "increase" else -1
    method = 1 if target is None else 2
    thresholds = dict(THRESHOLDS_NO_TARGET if method == 1 else THRESHOLDS_TARGET)
    if target == 0:
        target = ZERO_REPLACEMENT
    values = {int(year): float(value) for year, value in series if value is not None and not math.isnan(value)}
    known = {"thresholds": thresholds, "target": target, "target_year": target_year, "method": method}
    if not values:
        return _not_available("No complete year of data, so the status is not available.", **known)

    current_year = max(values)
    current_value = values[current_year]
    used_base = base_year if base_year in values else min((y for y in values if y > base_year), default=None)
    known.update(current_year=current_year, current_value=current_value)
    if used_base is None:
        return _not_available(f"No data in or after the baseline year {base_year} (latest data {current_year}), so the status is not available.", **known)
    base_value = values[used_base]
    known.update(base_year=used_base, base_value=base_value)
    moved = "" if used_base == base_year else f" (the baseline year {base_year} has no data, so the next year with data, {used_base}, is the base)"

    # sdg-build decides target_achieved from the latest value alone, and it wins over any progress value (even none).
    achieved = target is not None and (current_value <= target if sign_of_direction == -1 else current_value >= target)
    relation = "at or below" if sign_of_direction == -1 else "at or above"
    achieved_rule = (f"The latest value, {num(current_value)} in {current_year}, is {relation} the target of {num(target)}{moved}, "
                     "so the target is achieved." if achieved else "")

    def unavailable(rule: str) -> Progress:
        if achieved:
            return Progress(status="target_achieved", label=LABELS["target_achieved"], rule=achieved_rule, cagr_observed=None,
                            cagr_required=None, ratio=None, progress_value=None, target_achieved=True, **known)
        return _not_available(rule, **known)

    if current_year - used_base < 1:
        return unavailable(f"Only one year of data ({used_base}){moved}: at least 2 years are needed, so the status is not available.")
    if base_value == 0:
        base_value = ZERO_REPLACEMENT
        known["base_value"] = base_value
    if (base_value > 0) != (current_value > 0) or current_value == 0:
        return unavailable(
            f"The base value {num(base_value)} ({used_base}) and the latest value {num(current_value)} ({current_year}) are not both positive "
            "or both negative, so no yearly change can be computed and the status is not available.")
    sign = -1 if base_value < 0 else 1

    cagr_o = growth(current_value, base_value, current_year, used_base)
    words = {"substantial_progress": "substantial progress", "moderate_progress": "moderate progress",
             "limited_progress": "limited progress", "deterioration": "deterioration"}
    if method == 1:
        value = sign * sign_of_direction * cagr_o
        status = status_for(value, thresholds)
        rule = (f"No target: observed yearly change {pct(cagr_o)} from {used_base} to {current_year}{moved}, {pct(value)} a year in the goal's "
                f"direction ({direction}), {_band(value, thresholds, as_pct=True)}, so {words[status]}.")
        return Progress(status=status, label=LABELS[status], rule=rule, cagr_observed=cagr_o, cagr_required=None, ratio=None,
                        progress_value=value, **known)

    cagr_r = growth(target, base_value, target_year, used_base)
    if cagr_r == 0 or target_year <= used_base:
        return unavailable(
            f"The target {num(target)} by {target_year} needs no yearly change from the base value {num(base_value)} ({used_base}), "
            "so the ratio is undefined and the status is not available.")
    ratio = sign * sign_of_direction * cagr_o / abs(cagr_r)
    if achieved:
        return Progress(status="target_achieved", label=LABELS["target_achieved"], rule=achieved_rule, cagr_observed=cagr_o, cagr_required=cagr_r,
                        ratio=ratio, progress_value=ratio, target_achieved=True, **known)
    status = status_for(ratio, thresholds)
    rule = (f"Observed yearly change {pct(cagr_o)} from {used_base} to {current_year}{moved} against the {pct(cagr_r)} a year needed to reach "
            f"{num(target)} by {target_year}: ratio {ratio:.2f}, {_band(ratio, thresholds, as_pct=False)}, so {words[status]}.")
    return Progress(status=status, label=LABELS[status], rule=rule, cagr_observed=cagr_o, cagr_required=cagr_r, ratio=ratio,
                    progress_value=ratio, **known)
