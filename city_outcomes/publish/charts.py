"""Chart specifications, built with altair from warehouse query results.

Names from data (departments) go into a spec as they are: Vega draws titles, axis and legend labels
as SVG text, never as markup, and the page passes tooltips through the sanitizer in
``safe_text``. Escaping them here would show "&lt;" on the chart.
"""

from __future__ import annotations

import altair as alt
import pandas as pd


def emissions_by_department(monthly: pd.DataFrame) -> alt.Chart:
    """Stacked monthly bars of building emissions (tCO2e) by department."""
    return (
        alt.Chart(monthly, title=alt.Title("Municipal building emissions by department", subtitle="Tonnes of CO2-equivalent per month, from the energy the buildings use"))
        .mark_bar()
        .encode(
            x=alt.X(
                "yearmonth(period_month):T",
                title="Month",
                scale=alt.Scale(nice=False),
                axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 6}, labelOverlap=True),
            ),
            y=alt.Y("sum(co2e_tonnes):Q", title="tCO2e"),
            color=alt.Color("department:N", title="Department", scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                alt.Tooltip("yearmonth(period_month):T", title="Month"),
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("sum(co2e_tonnes):Q", title="tCO2e", format=",.1f"),
            ],
        )
        .properties(width="container", height=320)
    )
