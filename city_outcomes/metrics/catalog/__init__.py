"""The metric catalog: every published number, registered once.

Each metric family (emissions now; mobility, equity, engagement and impact later) is one YAML file
in this folder. An entry says what the number is (name, title, unit), where it lives (the warehouse
table and column, its grain and the dimensions a reader may filter on), how it is computed (the
``.sql`` file under ``city_outcomes/sql/`` and the feeds and tables it reads), who answers for it and
what a reader must know (caveats). The Dagster asset descriptions, the site's method notes and
``city-outcomes trace`` all read it; ``tests/test_metric_catalog.py`` fails when an asset has no
entry or an entry no asset. Adding a family is adding a file here and the assets that build it.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from data_contracts import all_contracts

CATALOG_DIR = Path(str(files(__package__)))
SQL_DIR = CATALOG_DIR.parent.parent / "sql"
IDENTIFIER = r"^[a-z_][a-z0-9_]{0,63}$"


class UnknownMetric(KeyError):
    """A metric name that is not in the catalog; the message lists the valid ones."""

    def __str__(self) -> str:
        return str(self.args[0])


class CatalogError(ValueError):
    """A catalog file that is not valid: names the file and the problem."""


class MetricEntry(BaseModel):
    """One published number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    title: str
    unit: str
    # Table and column names go into SQL (quoted) wherever a metric is read generically (trace, goals): plain identifiers only.
    value_column: str = Field(pattern=IDENTIFIER)  # the column of `table` holding the number (summed over the grain when aggregated)
    # For a share: the column the summed value is divided by (a ratio of sums, never a sum of ratios).
    denominator_column: str | None = Field(default=None, pattern=IDENTIFIER)
    table: str = Field(pattern=r"^[a-z_][a-z0-9_]{0,63}\.[a-z_][a-z0-9_]{0,63}$")  # schema.table in the warehouse, built by one Dagster asset
    grain: list[str]  # the columns that identify one row of the table
    period_column: str | None = Field(default=None, pattern=IDENTIFIER)  # the date column a --period selects on
    dimensions: list[str] = []  # columns a reader may filter or group by
    formula: str  # city_outcomes/sql/<formula>.sql
    inputs: list[str]  # contracts (feeds) and reference tables the formula reads
    description: str
    caveats: list[str] = []
    # "sql": the table is built by the catalog's own monthly asset (city_outcomes/metrics/monthly.py) from
    # `formula` alone; "custom": by an asset of its family's module (emissions: assets/metrics.py).
    built_by: Literal["custom", "sql"] = "custom"
    # A count of people's actions (trips, boardings, requests): the site's privacy gate suppresses its small values.
    counts: bool = False
    family: str = ""
    owner: str = ""

    @property
    def formula_path(self) -> Path:
        return SQL_DIR / f"{self.formula}.sql"

    @property
    def asset_key(self) -> list[str]:
        return self.table.split(".")

    def method_note(self) -> str:
        """The method in words, for a page or an asset description."""
        caveats = "".join(f"\n- {caveat}" for caveat in self.caveats)
        return f"{self.description} (formula: sql/{self.formula}.sql; unit: {self.unit}){caveats}"


class _FamilyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    family: str
    owner: str
    metrics: list[MetricEntry]

    @model_validator(mode="after")
    def _known_inputs(self) -> _FamilyFile:
        contracts = set(all_contracts())
        for metric in self.metrics:
            unknown = [name for name in metric.inputs if name not in contracts and "." not in name]
            if unknown:
                raise ValueError(f"metric {metric.name!r}: inputs {unknown} are neither contracts nor schema.table names")
            if not metric.formula_path.is_file():
                raise ValueError(f"metric {metric.name!r}: formula file {metric.formula_path.name} not found in city_outcomes/sql/")
            if metric.period_column and metric.period_column not in metric.grain:
                raise ValueError(f"metric {metric.name!r}: period_column {metric.period_column!r} is not part of its grain")
            if metric.built_by == "sql" and metric.period_column != "period_month":
                raise ValueError(f"metric {metric.name!r}: a table the monthly asset builds has period_column period_month")
        return self


class Catalog:
    """All registered metrics, by name."""

    def __init__(self, entries: list[MetricEntry]) -> None:
        self._by_name: dict[str, MetricEntry] = {}
        for entry in entries:
            if entry.name in self._by_name:
                raise CatalogError(f"metric {entry.name!r} is registered twice (families {self._by_name[entry.name].family!r} and {entry.family!r})")
            self._by_name[entry.name] = entry

    def __iter__(self):
        return iter(self._by_name.values())

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> MetricEntry:
        """The entry for ``name``; :class:`UnknownMetric`, listing the valid names, if there is none."""
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownMetric(f"no metric {name!r} in the catalog; the metrics are: {', '.join(self.names)}") from None

    def sql_tables(self) -> dict[str, MetricEntry]:
        """The tables the catalog's monthly asset builds from their formula alone, each with its first entry."""
        tables: dict[str, MetricEntry] = {}
        for entry in self:
            if entry.built_by == "sql":
                first = tables.setdefault(entry.table, entry)
                if (first.formula, first.inputs) != (entry.formula, entry.inputs):
                    raise CatalogError(f"metrics {first.name!r} and {entry.name!r} live in {entry.table} but name different formulas or inputs")
        return tables

    def tables(self) -> set[str]:
        """The warehouse tables metrics live in (one Dagster asset each)."""
        return {entry.table for entry in self}

    def for_table(self, table: str) -> list[MetricEntry]:
        """The metrics a table holds, in catalog order."""
        return [entry for entry in self if entry.table == table]

    def asset_description(self, table: str) -> str:
        """A Dagster asset's description: the metrics it holds and how each is computed."""
        entries = self.for_table(table)
        if not entries:
            raise UnknownMetric(f"no metric of the catalog lives in {table}")
        return "\n\n".join(f"**{e.title}** (`{e.name}`, {e.unit}): {e.method_note()}" for e in entries)


def load_family(path: Path) -> list[MetricEntry]:
    """The entries of one family file, each stamped with its family and owner."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        family = _FamilyFile.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as error:
        raise CatalogError(f"{path}: {error}") from error
    return [m.model_copy(update={"family": family.family, "owner": m.owner or family.owner}) for m in family.metrics]


@cache
def catalog() -> Catalog:
    """The catalog of every family file in this folder."""
    return Catalog([entry for path in sorted(CATALOG_DIR.glob("*.yaml")) for entry in load_family(path)])


def catalog_gaps(asset_keys: list[list[str]], registered: Catalog | None = None) -> tuple[list[str], list[str]]:
    """Metric assets (keys under ``out``) with no catalog entry, and catalog tables with no asset."""
    registered = registered or catalog()
    assets = {".".join(key) for key in asset_keys if key[0] == "out"}
    tables = registered.tables()
    return sorted(assets - tables), sorted(tables - assets)
