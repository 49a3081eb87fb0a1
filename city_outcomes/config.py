"""City configuration: one YAML file per city names its feeds, paths and reporting choices.

Paths in the file are relative to the file itself, never to the working directory, so a
pipeline gives the same result wherever it is started from.
"""

from __future__ import annotations

import glob
import os
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from city_outcomes.feeds.transform import CRS_PATTERN, check_expression
from city_outcomes.inventory_config import InventorySettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_CITY_CONFIG = PROJECT_ROOT / "cities" / "demo" / "city.yaml"
CITY_CONFIG_ENV = "CITY_OUTCOMES_CITY"
REFERENCE_DATA = PROJECT_ROOT / "reference_data"
# The fuel factors the project ships (EPA GHG Emission Factors Hub 2021): a fuel a city's own factor set lacks takes these.
SHIPPED_FUEL_FACTOR_SET = "epa_ghg_hub_2021"
SPECS_DIR = PROJECT_ROOT / "data_contracts" / "specs"
# Reference data every city gets unless its configuration names its own feed of the same name. Its files
# come with the code (their modification time is the checkout's), never half-copied: no settling time.
REFERENCE_FEEDS = {
    "emission_factors": {
        "contract": "emission_factors",
        # emission_factors.csv (EPA Hub 2021) and emission_factors_egrid.csv (eGRID2019-2023 editions).
        "path": str(REFERENCE_DATA / "emission_factors*.csv"),
        "description": "Published emission factors shipped with city-outcomes: EPA GHG Emission Factors Hub 2021 and eGRID2019-2023 (reference_data/SOURCES.md)",
        "settle_seconds": 0,
    },
    "global_warming_potentials": {
        "contract": "global_warming_potentials",
        "path": str(REFERENCE_DATA / "global_warming_potentials.csv"),
        "description": "IPCC 100-year GWPs shipped with city-outcomes (reference_data/SOURCES.md)",
        "settle_seconds": 0,
    },
}


# Building use types that are water or wastewater facilities by default (LGO Protocol sectors, matched in any case).
WATER_BUILDING_TYPES = ("water treatment plant", "water pumping station", "water pump station", "water booster station", "water well", "water storage tank")
WASTEWATER_BUILDING_TYPES = (
    "wastewater treatment plant", "sewage treatment plant", "water reclamation facility", "wastewater pumping station",
    "sewage pumping station", "lift station",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CityInfo(_Strict):
    """Who the city is and which reference data apply to it."""

    name: str
    state: str
    grid_subregion: str = Field(description="eGRID subregion acronym used for electricity factors, e.g. RFCE")
    factor_set: str = Field(
        description="Factor set for fuels (natural gas, fuel oils, propane, fleet fuels), e.g. epa_ghg_hub_2021, or a set of "
        "the city's own (an emission_factors feed): a fuel that set has no factor for takes the shipped set's "
        f"({SHIPPED_FUEL_FACTOR_SET}), and its rows say so",
    )
    electricity_factors: dict[int, str] = Field(
        default_factory=dict,
        description="Inventory year -> the electricity factor edition (factor set) its location-based scope 2 uses, e.g. {2023: egrid2021}; "
        "a year not named gets the latest edition whose data year is at most the inventory year (the default, stated on every row)",
    )
    gwp_set: Literal["AR4", "AR5", "AR6"] = Field(description="IPCC assessment report whose 100-year GWPs convert gases to CO2e")
    water_building_types: list[str] = Field(
        default_factory=lambda: list(WATER_BUILDING_TYPES),
        description="buildings.building_type values (any case) whose energy is the LGO sector 'Water delivery facilities' in the municipal inventory",
    )
    wastewater_building_types: list[str] = Field(
        default_factory=lambda: list(WASTEWATER_BUILDING_TYPES),
        description="buildings.building_type values (any case) whose energy is the LGO sector 'Wastewater facilities' in the municipal inventory",
    )
    fleet_charging_stations: list[str] = Field(
        default_factory=list,
        description="ev_charging_energy station ids that charge the city's own fleet, whose kWh the fleet_fuel feed already holds: "
        "left out of the public EV charging sector so that no kWh is counted twice",
    )
    td_losses: bool = Field(
        default=False,
        description="Report scope 3 transmission and distribution losses of the grid electricity in the municipal inventory "
        "(out.municipal_td_losses_monthly, kept out of the inventory's scope 1 and 2 totals): kWh x grid gross loss / (1 - loss) "
        "x the kWh's location-based factor, the loss from the same eGRID edition and subregion",
    )
    first_month: date = Field(description="First month of the reporting calendar (the first monthly partition)")
    timezone: str | None = Field(
        default=None,
        description="The city's IANA time zone, e.g. America/New_York: months are cut at local midnight and 'not in the future' is the city's clock. "
        "Required when a feed is timestamped (trips, charging sessions, 311 requests, GBFS snapshots).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not an IANA time zone; write one like America/New_York or Europe/Paris") from None
        return value

    @field_validator("electricity_factors")
    @classmethod
    def _inventory_years(cls, value: dict[int, str]) -> dict[int, str]:
        for year, edition in value.items():
            if not 1990 <= year <= 2100:
                raise ValueError(f"{year} is not an inventory year: write a year such as 2023 (edition by year, e.g. {{2023: egrid2021}})")
            if not edition.strip():
                raise ValueError(f"the edition for {year} is empty: name a factor set, e.g. egrid2021")
        return value

    @field_validator("first_month")
    @classmethod
    def _first_of_month(cls, value: date) -> date:
        if value.day != 1:
            raise ValueError("first_month must be the first day of a month, e.g. 2023-01-01")
        return value


class Paths(_Strict):
    """Where the city's files live; relative paths are resolved against the config file."""

    inbox: Path = Field(description="Root folder of the feeds' raw exports")
    landing: Path = Field(description="Immutable, content-addressed copies of every file read")
    warehouse: Path = Field(description="The DuckDB warehouse file")
    site: Path = Field(description="Folder the dashboard is published to")


# --- Wide exports and lookups (issue 11, items 3-4): feed settings `unpivot:` and `lookup:`. ---


class UnpivotConfig(_Strict):
    """A wide export (one column per fuel or per month) read as the contract's long rows: each
    listed column of a record becomes one row, holding the cell and that column's constants."""

    value: str = Field(description="Name of the long rows' column that holds each cell, read by `columns:` like an export column (e.g. Usage)")
    columns: dict[str, dict[str, str]] = Field(
        description="Export column -> the constants its cells carry, as columns of the long row (e.g. "
        "'Electricity kWh': {Commodity: Electric, UOM: kWh}); every column gives the same constant names"
    )

    @model_validator(mode="after")
    def _same_constants(self) -> UnpivotConfig:
        if not self.columns:
            raise ValueError("unpivot.columns: name at least one export column to unpivot")
        names = [sorted(constants) for constants in self.columns.values()]
        first = next(iter(self.columns))
        for column, constants in self.columns.items():
            if sorted(constants) != names[0]:
                raise ValueError(
                    f"unpivot.columns: {column!r} gives constants {sorted(constants)} but {first!r} gives {names[0]}: every unpivoted column needs the same ones"
                )
        if self.value in names[0]:
            raise ValueError(f"unpivot: the value column {self.value!r} is also the name of a constant")
        return self

    @property
    def added_columns(self) -> list[str]:
        """The columns each long row gets: the cell, then the constants."""
        return [self.value, *next(iter(self.columns.values()))]


class LookupSource(_Strict):
    """Where a lookup's table comes from: a CSV file, or another feed's rows in ``core``."""

    file: str | None = Field(default=None, description="A CSV file, relative to the city configuration file (read as text)")
    feed: str | None = Field(default=None, description="Another feed of this city, whose accepted rows in core.<its contract> are the table")
    encoding: str = Field(default="utf-8", description="file only: its encoding")
    delimiter: str = Field(default=",", description="file only: its delimiter")

    @model_validator(mode="after")
    def _one_source(self) -> LookupSource:
        if (self.file is None) == (self.feed is None):
            raise ValueError("lookup.from: give exactly one of `file:` (a CSV) or `feed:` (another feed's core rows)")
        return self


class LookupConfig(_Strict):
    """Attributes joined onto each row from a second table by a key (vehicle -> fuel type)."""

    source: LookupSource = Field(alias="from", description="The table: {file: fleet/vehicles.csv} or {feed: fleet_vehicles}")
    key: dict[str, str] = Field(
        description="The row's column -> the table's column it must equal (text, surrounding spaces ignored), e.g. {Vehicle ID: vehicle_id}"
    )
    columns: dict[str, str] = Field(
        description="New column of the row -> the table's column it is read from (e.g. {Fuel: fuel_type}); read by `columns:`/`derive:` like an export column"
    )

    @model_validator(mode="after")
    def _something_to_join(self) -> LookupConfig:
        if not self.key:
            raise ValueError("lookup.key: name the row's column and the table's column to join on")
        if not self.columns:
            raise ValueError("lookup.columns: name at least one column to read from the table")
        return self


class FeedConfig(_Strict):
    """How one departmental or vendor export maps onto a data contract."""

    contract: str = Field(description="Name of the data contract in data_contracts/")
    path: str = Field(description="Glob of the feed's files, relative to paths.inbox")
    format: Literal["csv", "json", "xml", "xlsx"] = Field(default="csv", description="csv, json, xml (records by path) or xlsx (an Excel workbook's sheet)")
    records: str = Field(
        default="",
        description="JSON: dotted path to the array of records, e.g. data.trips ('' = the document is the array); "
        "XML: path of the record elements from the root, e.g. service_requests/request",
    )
    json_schema: str | None = Field(
        default=None,
        description="JSON only: the published JSON Schema every file must follow, e.g. mds-1.2.0/trips.json (shipped in data_contracts/specs/) or a path",
    )
    # XML and spreadsheet feeds (issue 11): city_outcomes/feeds/xml_source.py and xlsx_source.py.
    namespaces: dict[str, str] = Field(
        default_factory=dict,
        description="XML only: prefix -> namespace URI for the prefixes used in `records`, e.g. {o: 'http://example.org/open311'}; "
        "a step without a prefix matches an element in no namespace",
    )
    sheet: str | None = Field(default=None, description="xlsx only: the worksheet to read, by its name as Excel shows it (default: the first sheet)")
    header_row: int = Field(
        default=1, ge=1, description="xlsx only: the spreadsheet row (numbered as in Excel) that holds the column names; the title rows above it are not read"
    )
    last_row: int | None = Field(
        default=None, ge=2,
        description="xlsx only: the last spreadsheet row of the table, where notes or another table follow it (default: the sheet's last non-empty row)",
    )
    timezone: str | None = Field(default=None, description="Time zone of timestamps written without an offset (default UTC), e.g. America/Los_Angeles")
    timezone_columns: dict[str, str] = Field(
        default_factory=dict, description="Contract timestamp column -> the export's column naming each row's zone or UTC offset (e.g. End Time Zone)"
    )
    timezone_offsets: dict[str, str] = Field(
        default_factory=dict, description="Zone abbreviations in those columns -> UTC offsets, e.g. {PDT: '-07:00', PST: '-08:00'}"
    )
    encoding: str = "utf-8"
    delimiter: str = ","
    quote: str = Field(default='"', description="Quote character; a doubled quote inside quotes is a literal quote (RFC 4180)")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Contract column -> column name in the export; unmapped contract columns are read by their own name",
    )
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Contract column -> {export value: contract value}, e.g. 'Electric' -> 'electricity'",
    )
    date_formats: dict[str, str] = Field(
        default_factory=dict,
        description="Contract column -> strptime format of that column in the export, or epoch_s / epoch_ms for numbers since 1970",
    )
    constants: dict[str, str] = Field(
        default_factory=dict, description="Contract column -> a value that holds for the whole export (e.g. unit: kWh), documented here"
    )
    scale: dict[str, float] = Field(
        default_factory=dict, description="Contract column -> factor the export's number is multiplied by (e.g. 0.01 for a percentage)"
    )
    numeric_strip: str = Field(default="", description="Characters removed from numbers before they are read, e.g. '$,' for '$1,234.50'")
    null_values: dict[str, list[str]] = Field(
        default_factory=dict, description="Contract column -> placeholder values that mean 'missing' in this export (e.g. user_id: ['0'])"
    )
    non_personal_columns: list[str] = Field(
        default_factory=list,
        description="Export columns the contract does not use that may be shown in the quarantine as they are (they hold no personal data); "
        "['*'] declares that no column of the export is personal. Every other unmapped column is withheld there.",
    )
    filter: str | None = Field(
        default=None,
        description="Keep only the export's rows where this DuckDB SQL condition over its columns (as text) is true, e.g. "
        "\"Owner\" = 'City of Chicago'; the others are counted per file as not this feed's rows",
    )
    derive: dict[str, str] = Field(
        default_factory=dict,
        description="Contract column -> a DuckDB SQL expression over the export's columns (as text) that computes it, e.g. "
        "TRY_CAST(\"Gallons\" AS DOUBLE) * TRY_CAST(\"Unit Price\" AS DOUBLE); the result is then read like an export column",
    )
    crs: str | None = Field(
        default=None,
        description="The coordinate system the export's coordinates are in, when not WGS84 degrees, e.g. EPSG:2277 (State Plane, "
        "US feet): longitude columns hold X (easting), latitude columns Y (northing); they are turned into degrees before any check",
    )
    decimal: Literal[".", ","] = Field(default=".", description="The export's decimal mark; with ',' a '.' in a number is a thousands separator")
    unpivot: UnpivotConfig | None = Field(
        default=None, description="A wide export: columns whose cells become the contract's long rows, each with its constants (see UnpivotConfig)"
    )
    lookup: dict[str, LookupConfig] = Field(
        default_factory=dict, description="Name -> a table joined on a key; a row whose key has no match is quarantined under the lookup's rule"
    )

    @model_validator(mode="after")
    def _reshaped_columns_are_distinct(self) -> FeedConfig:
        # The columns unpivot and lookups add to a row must not shadow each other.
        added = [*(self.unpivot.added_columns if self.unpivot else []), *(c for lookup in self.lookup.values() for c in lookup.columns)]
        twice = sorted({c for c in added if added.count(c) > 1})
        if twice:
            raise ValueError(f"unpivot/lookup: column(s) {', '.join(map(repr, twice))} added more than once: give each added column its own name")
        return self
    description: str = ""
    settle_seconds: float | None = Field(
        default=None, ge=0, description="Overrides ingest.settle_seconds for this feed (e.g. 600 for an export copied in slowly)"
    )
    # Freshness on the data quality page (city_outcomes/feeds/freshness.py): when a period's data is due.
    cadence: Literal["monthly", "quarterly", "annual", "none"] | None = Field(
        default=None,
        description="How often the feed's data arrives: monthly, quarterly or annual (calendar quarters and years), or none (reference data, "
        "never late); default: monthly where the contract has a time column, none otherwise",
    )
    grace_days: int = Field(
        default=45, ge=0,
        description="Days after a period's last day before its data is due (a month ending 09-30 with 45 days is due on 11-14); "
        "a feed whose latest period is older than the due one is late",
    )

    @field_validator("filter")
    @classmethod
    def _checked_filter(cls, value: str | None) -> str | None:
        if value is not None:
            check_expression(value, "filter")
        return value

    @field_validator("derive")
    @classmethod
    def _checked_derive(cls, value: dict[str, str]) -> dict[str, str]:
        for column, text in value.items():
            check_expression(text, f"derive.{column}")
        return value

    @field_validator("crs")
    @classmethod
    def _known_crs(cls, value: str | None) -> str | None:
        if value is not None and not CRS_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a coordinate system code; write an authority and a code, e.g. EPSG:2277 or ESRI:102739")
        return value

    @model_validator(mode="after")
    def _one_source_per_derived_column(self) -> FeedConfig:
        # (A derive key the contract lacks is reported, with its line, by config_check.)
        both = [column for column in self.derive if column in self.columns or column in self.constants]
        if both:
            raise ValueError(f"derive: {', '.join(map(repr, both))} also set in columns or constants: give each contract column one source")
        return self

    @property
    def json_schema_path(self) -> Path | None:
        """The JSON Schema file, resolved at load time (see :func:`load_city_config`)."""
        return Path(self.json_schema) if self.json_schema else None

    @model_validator(mode="after")
    def _format_keys(self) -> FeedConfig:
        # Judged by value, not by what the YAML set: a feed is also rebuilt from a dump of itself.
        given = {"sheet": self.sheet is not None, "header_row": self.header_row != 1, "last_row": self.last_row is not None, "namespaces": bool(self.namespaces)}
        only_for = {"sheet": "xlsx", "header_row": "xlsx", "last_row": "xlsx", "namespaces": "xml"}
        misplaced = [f"`{key}` is only for `format: {wanted}`" for key, wanted in only_for.items() if given[key] and self.format != wanted]
        if misplaced:
            raise ValueError(f"{'; '.join(misplaced)} (this feed's format is {self.format})")
        if self.last_row is not None and self.last_row <= self.header_row:
            raise ValueError(f"last_row ({self.last_row}) must be below header_row ({self.header_row})")
        return self


class IngestSettings(_Strict):
    """How the inbox is read."""

    settle_seconds: float = Field(
        default=60, ge=0,
        description="A file modified less than this many seconds ago is still being written: it is skipped until it has been unchanged this long",
    )


class CityConfig(_Strict):
    """A whole city's configuration, as read from its YAML file."""

    city: CityInfo
    paths: Paths
    privacy: str | None = Field(default=None, description="Privacy policy file (relative to this file); the strict default applies without one")
    feeds: dict[str, FeedConfig]
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="How the inbox is read (settle_seconds)")
    inventory: InventorySettings = Field(
        default_factory=InventorySettings, description="The community inventory (GPC BASIC): notation keys per subsector, VMT fuel economy and fuel split"
    )
    config_path: Path = Field(description="The file this configuration was read from")

    @model_validator(mode="after")
    def _lookups_name_known_feeds(self) -> CityConfig:
        for name, feed in self.feeds.items():
            for lookup_name, lookup in feed.lookup.items():
                if lookup.source.feed is not None and (lookup.source.feed not in self.feeds or lookup.source.feed == name):
                    others = ", ".join(f for f in self.feeds if f != name)
                    raise ValueError(f"feeds.{name}.lookup.{lookup_name}.from.feed: {lookup.source.feed!r} is not another feed of this city; its feeds are {others}")
        return self

    @cached_property
    def base_dir(self) -> Path:
        return self.config_path.parent

    def resolve(self, path: Path | str) -> Path:
        """Resolve a configured path against the config file's folder."""
        return (self.base_dir / path).resolve()

    @property
    def inbox_dir(self) -> Path:
        return self.resolve(self.paths.inbox)

    @property
    def landing_dir(self) -> Path:
        return self.resolve(self.paths.landing)

    @property
    def warehouse_path(self) -> Path:
        return self.resolve(self.paths.warehouse)

    @property
    def site_dir(self) -> Path:
        # The site is a symbolic link to its current release (publish/site.py): resolve the folder it is in,
        # never the link itself.
        site = Path(self.paths.site)
        return self.resolve(site.parent) / site.name

    def feed_files(self, feed_name: str) -> list[Path]:
        """The files currently matching a feed's glob (relative to the inbox, or absolute), sorted."""
        pattern = os.path.join(self.inbox_dir, self.feeds[feed_name].path)
        return sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())


def load_city_config(path: Path | str) -> CityConfig:
    """Read and check a city's YAML configuration file and its privacy policy.

    Raises FileNotFoundError if there is no such file, and otherwise a ``ConfigError`` (a ValueError) carrying
    every problem, one line each with its file and line (city_outcomes/config_check.py).
    """
    from city_outcomes.config_check import load_checked_city  # it imports the models above

    return load_checked_city(path)


def city_config_path(explicit: Path | str | None = None) -> Path:
    """The city to run: an explicit path, else $CITY_OUTCOMES_CITY, else the bundled demo city."""
    if explicit:
        return Path(explicit).resolve()
    from_env = os.environ.get(CITY_CONFIG_ENV)
    return Path(from_env).resolve() if from_env else DEMO_CITY_CONFIG
