"""Census tract estimates with their margins of error (ACS `_E`/`_M` pairs), under whatever names the export gives them.

The American Community Survey publishes every estimate with a margin of error (MOE) at 90%
confidence: the true value lies within estimate ± MOE with 90% probability (standard error =
MOE / 1.645; ACS General Handbook, ch. 8). The Census API names the pair `B01003_001E` /
`B01003_001M`; planning agencies' exports use their own names (DVRPC: `U_TPopEst` / `U_TPopMOE`).
Each estimate here has its `_moe` column beside it; a blank MOE means the export has none. Counts,
not shares: a share and its MOE are derived (the proportion formula) from a count and its universe.
The population may come from a second file through a lookup keyed on `tract_geoid`.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract

# The ACS writes large negative numbers where an estimate or MOE cannot be given (-666666666 "not
# available", -222222222 "not applicable", -555555555 "controlled: no sampling error", ...) and some
# exports their own (DVRPC writes -99999): placeholders of the export, which the city lists in
# null_values. The rules say so.
ESTIMATE_RULE = "must be ≥ 0 (a negative estimate is a placeholder such as the ACS's -666666666: list it in the feed's null_values)"
MOE_RULE = "must be ≥ 0: a margin of error at 90% confidence (a negative one is a placeholder such as the ACS's -222222222 or -555555555: list it in the feed's null_values)"

# estimate column: (ACS table and line it is read from, description, the most a tract holds)
ESTIMATES = {
    "population": ("B01003_001", "Total population", 100_000),
    "households": ("B11001_001", "Total households", 50_000),
    "median_household_income_usd": ("B19013_001", "Median household income, US dollars", 1_000_000),
    "poverty_universe": ("B17001_001", "People whose poverty status is determined (the universe of the two poverty counts)", 100_000),
    "people_below_poverty": ("B17001_002", "People below the federal poverty level", 100_000),
    "people_below_twice_poverty": ("C17002_002 to _007", "People below twice the poverty level (the low-income count CEJST and DVRPC use)", 100_000),
    "people_of_color": ("B03002_001 minus B03002_003", "People other than non-Hispanic white alone", 100_000),
    "racial_minority": ("B02001_001 minus B02001_002", "People of a race other than white alone (Hispanic or not)", 100_000),
    "hispanic_or_latino": ("B03002_012", "Hispanic or Latino people, of any race", 100_000),
    "households_without_broadband": ("B28002_013, no internet access", "Households without an internet subscription", 50_000),
}
# Counts and the universe they are part of: a subset larger than its universe is a mapping error.
SUBSETS = {
    "people_below_poverty": "poverty_universe",
    "people_below_twice_poverty": "poverty_universe",
    "people_of_color": "population",
    "racial_minority": "population",
    "hispanic_or_latino": "population",
    "households_without_broadband": "households",
}


def _estimate(name: str, required: bool = False) -> float:
    table, text, most = ESTIMATES[name]
    return Field(nullable=not required, le=most, description=f"{text} (ACS {table}, estimate)")


def _moe(name: str) -> float:
    table, text, _ = ESTIMATES[name]
    return Field(nullable=True, description=f"Margin of error of `{name}` at 90% confidence (ACS {table}, MOE)")


class CensusTractEstimates(Contract):
    """One row per census tract: ACS 5-year estimates, each with its margin of error."""

    tract_geoid: str = Field(str_matches=r"^\d{11}$", description="11-digit census tract GEOID (state, county, tract)")
    tract_name: str = Field(nullable=True, description="Tract name or number, e.g. 'Census Tract 24' or '24'")
    acs_vintage: str = Field(str_matches=r"^\d{4}-\d{4}$", description="ACS 5-year period of the estimates, e.g. 2012-2016")
    population: int = _estimate("population", required=True)
    population_moe: float = _moe("population")
    households: int = _estimate("households")
    households_moe: float = _moe("households")
    median_household_income_usd: float = _estimate("median_household_income_usd")
    median_household_income_usd_moe: float = _moe("median_household_income_usd")
    poverty_universe: int = _estimate("poverty_universe")
    poverty_universe_moe: float = _moe("poverty_universe")
    people_below_poverty: int = _estimate("people_below_poverty")
    people_below_poverty_moe: float = _moe("people_below_poverty")
    people_below_twice_poverty: int = _estimate("people_below_twice_poverty")
    people_below_twice_poverty_moe: float = _moe("people_below_twice_poverty")
    people_of_color: int = _estimate("people_of_color")
    people_of_color_moe: float = _moe("people_of_color")
    racial_minority: int = _estimate("racial_minority")
    racial_minority_moe: float = _moe("racial_minority")
    hispanic_or_latino: int = _estimate("hispanic_or_latino")
    hispanic_or_latino_moe: float = _moe("hispanic_or_latino")
    households_without_broadband: int = _estimate("households_without_broadband")
    households_without_broadband_moe: float = _moe("households_without_broadband")

    @pa.check(*ESTIMATES, name="estimate_not_negative", error=ESTIMATE_RULE)
    def _estimate_not_negative(cls, data: IbisData) -> ir.BooleanColumn:
        return data.table[data.key] >= 0

    @pa.check(*[f"{name}_moe" for name in ESTIMATES], name="moe_not_negative", error=MOE_RULE)
    def _moe_not_negative(cls, data: IbisData) -> ir.BooleanColumn:
        return data.table[data.key] >= 0

    @pa.dataframe_check(name="subset_within_universe", error="a count must not exceed its universe: " + "; ".join(f"{part} ≤ {whole}" for part, whole in SUBSETS.items()))
    def _within_universe(cls, data: IbisData) -> ir.BooleanColumn:
        table = data.table
        passes = None
        for part, whole in SUBSETS.items():
            clause = (table[part] <= table[whole]).fill_null(True)
            passes = clause if passes is None else passes & clause
        return passes

    class Config:
        title = "Census tract estimates with margins of error (ACS)"
        unique = ["tract_geoid", "acs_vintage"]
        metadata = {"version": "1.0.0", "time_column": None}


CONTRACT = CensusTractEstimates
