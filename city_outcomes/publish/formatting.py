"""How numbers read on the site: one function per kind, shared by pages, tables and chart summaries."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd


def value(number: float | int | None, unit: str = "") -> str:
    """A metric's value in words: thousands separated, shares as percentages, '–' where there is none."""
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return "–"
    if unit.startswith("share"):
        return f"{number:.1%}"
    magnitude = abs(number)
    text = f"{number:,.0f}" if magnitude >= 100 else f"{number:,.1f}" if magnitude >= 10 else f"{number:,.2f}"
    return f"{text} {unit}".strip() if unit else text


def change(fraction: float | None) -> str:
    """A relative change, signed: '+12.5%' or '−3.0%' (a real minus sign)."""
    if fraction is None or math.isnan(fraction):
        return "–"
    return f"{fraction:+.1%}".replace("-", "\u2212")


def period(when: Any) -> str:
    """A year as '2025', a month as 'March 2025'."""
    if isinstance(when, (date, datetime)):
        return when.strftime("%B %Y")
    if hasattr(when, "strftime"):
        return when.strftime("%B %Y")
    return str(when)


def money(amount: float | None) -> str:
    """US dollars, whole."""
    return "–" if amount is None or (isinstance(amount, float) and math.isnan(amount)) else f"${amount:,.0f}"


def capitalize_first(text: str) -> str:
    """A sentence's first letter in capitals, the rest as it is (unlike Jinja's ``capitalize``)."""
    return text[:1].upper() + text[1:]


def is_missing(value: Any) -> bool:
    """Whether a cell holds no value: None, NaN, NaT or pandas' NA (what a table shows as '–')."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
