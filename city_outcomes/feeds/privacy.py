"""Privacy at the door: personal fields are dropped, hashed or coarsened before a row reaches the warehouse.

Contracts mark personal columns with ``Field(metadata={"personal": <kind>})``. A city's privacy
policy (YAML, named by ``privacy:`` in its configuration) says per kind what happens at ingest:

- ``drop``: the value is not stored (the column holds NULL);
- ``hash``: a salted SHA-256, so a device or account can be counted without being identified;
- ``coarsen_to_tract``: coordinates become the census tract containing them (both coordinates of a
  point are then dropped and the contract's ``<point>_tract_geoid`` column is filled);
- ``keep``: stored as is (only where the policy says so explicitly).

Only the landing zone keeps raw content, and it is never published. Without a policy file the
strict default below applies.

The same policy sets ``small_cell_k`` (default 11), the publication privacy gate's threshold
(``city_outcomes.publish.privacy_gate``): a published count from 1 to k-1 is shown as "fewer than k".
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

import duckdb
import ibis.expr.datatypes as dt
from ibis.backends.sql.datatypes import DuckDBType
from pydantic import BaseModel, ConfigDict, Field

from city_outcomes.config import CityConfig
from city_outcomes.sql import load_sql
from city_outcomes.warehouse import quote_ident, table_exists
from data_contracts import ContractInfo

Action = Literal["drop", "hash", "coarsen_to_tract", "keep"]
PERSONAL_KINDS = ("name", "email", "phone", "street_address", "free_text", "account_id", "device_id", "coordinates")
DEFAULT_ACTIONS: dict[str, Action] = {
    "name": "drop",
    "email": "drop",
    "phone": "drop",
    "street_address": "drop",
    "free_text": "drop",  # reporters write names, phone numbers and addresses into descriptions
    "account_id": "hash",
    "device_id": "hash",
    "coordinates": "coarsen_to_tract",
}
# The table coordinates are coarsened against (filled by the census_tract_boundaries feed).
TRACT_BOUNDARIES = "core.census_tract_boundaries"
# Coarsening looks each point's cell up in a grid laid over the tracts (see prepare_tract_shapes):
# about this many cells over all the tracts' bounding boxes, each 1/2**k degree on a side.
TRACT_GRID_CELLS = 1 << 15
# Counts from 1 to SMALL_CELL_K - 1 are never published as such: CMS's cell-size rule (no cell of 1 to 10;
# zero does not violate it; cells from which 1 to 10 can be derived are prohibited too), ../shared/DOMAIN.md §10.
SMALL_CELL_K = 11


class PolicyFile(BaseModel):
    """The YAML a city writes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actions: dict[str, Action] = {}
    salt_file: str | None = None
    # Published counts from 1 to small_cell_k - 1 are shown as "fewer than k" (1 would publish everything).
    small_cell_k: int = Field(default=SMALL_CELL_K, ge=2)


@dataclass(frozen=True)
class PrivacyPolicy:
    """What happens to each kind of personal field, and the salt hashes use."""

    salt_path: Path
    actions: Mapping[str, Action] = field(default_factory=lambda: dict(DEFAULT_ACTIONS))
    source: str = "built-in default"
    small_cell_k: int = SMALL_CELL_K

    @cached_property
    def salt(self) -> str:
        """The deployment's secret salt, read (or created) only when something is hashed."""
        return _salt(self.salt_path)

    @classmethod
    def load(cls, city: CityConfig) -> PrivacyPolicy:
        """The city's policy (its ``privacy`` file), or the strict default."""
        default_salt = city.resolve(city.paths.landing) / ".privacy_salt"
        if city.privacy is None:
            return cls(salt_path=default_salt)
        from city_outcomes.config_check import load_privacy_file  # it imports this module's PolicyFile

        path = city.resolve(city.privacy)
        # Unknown kinds, bad actions and hashed coordinates: a ConfigError, one line each with the policy's line.
        raw = load_privacy_file(path)
        salt_path = path.parent / raw.salt_file if raw.salt_file else default_salt
        return cls(salt_path=salt_path, actions={**DEFAULT_ACTIONS, **raw.actions}, source=str(path), small_cell_k=raw.small_cell_k)

    def action(self, kind: str) -> Action:
        return self.actions.get(kind, "drop")

    def core_columns(self, contract: ContractInfo) -> dict[str, dt.DataType]:
        """The core table's columns: the contract's, with hashed fields stored as text."""
        columns: dict[str, dt.DataType] = {}
        for name, column in contract.schema.columns.items():
            kind = (column.metadata or {}).get("personal")
            columns[name] = dt.string if kind and self.action(kind) == "hash" else column.dtype.type
        return columns


def _salt(path: Path) -> str:
    """A per-deployment secret salt, created once and kept beside the landing zone (never published)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class CoreSelect:
    """How typed rows become core rows: an expression per column, the joins they need, their parameters."""

    expressions: dict[str, str]
    joins: list[str]
    params: list[str]


def core_select(contract: ContractInfo, policy: PrivacyPolicy, alias: str) -> CoreSelect:
    """SQL (over typed rows ``alias``) that applies the privacy policy to each core column.

    Coarsening gives each point the tract whose boundary contains it. It looks the point's grid
    cell up in ``_tract_cells`` (made by :func:`prepare_tract_shapes`) with a hash join: a cell that
    lies inside one tract and clear of every boundary gives that tract outright; only a point in a
    cell that a boundary crosses is tested (``ST_Contains``) against the few tracts touching it.
    """
    expressions: dict[str, str] = {}
    params: list[str] = []
    joins: list[str] = []
    points = coordinate_points(contract)
    for name, column in contract.schema.columns.items():
        meta = column.metadata or {}
        kind = meta.get("personal")
        ref = f"{alias}{quote_ident(name)}"
        if "coarsened_from" in meta and policy.action("coordinates") == "coarsen_to_tract":
            point = points[meta["coarsened_from"]]
            shape = quote_ident(f"tract_{meta['coarsened_from']}")
            lat, lon = (f"{alias}{quote_ident(point[axis])}" for axis in ("lat", "lon"))
            cell = " AND ".join(
                f"{shape}.cell_{axis} = CAST(floor({coordinate} * getvariable('tract_cells_per_degree')) AS BIGINT)"
                for axis, coordinate in (("lat", lat), ("lon", lon))
            )
            joins.append(f"LEFT JOIN _tract_cells AS {shape} ON {cell}")
            tested = f"list_filter({shape}.candidates, lambda tract: ST_Contains(tract.geom, ST_Point({lon}, {lat})))[1].tract_geoid"
            # A tract the export already gives wins; otherwise the tract containing the point.
            expressions[name] = f"coalesce({ref}, {shape}.tract_geoid, {tested})"
        elif kind is None or policy.action(kind) == "keep":
            expressions[name] = ref
        elif policy.action(kind) == "hash":
            expressions[name] = f"CASE WHEN {ref} IS NULL THEN NULL ELSE sha256(? || CAST({ref} AS VARCHAR)) END"
            params.append(policy.salt)
        else:  # drop, and the coordinates of a coarsened point
            expressions[name] = f"CAST(NULL AS {DuckDBType.to_string(column.dtype.type)})"
    return CoreSelect(expressions, joins, params)


def prepare_tract_shapes(conn: duckdb.DuckDBPyConnection) -> int:
    """Load the tract boundaries for coarsening (``_tract_shapes``, and the grid ``_tract_cells``);
    return how many tracts there are.

    The grid's cells are 1/2**k degree on a side (k chosen for about ``TRACT_GRID_CELLS`` cells),
    so a point's cell, ``floor(coordinate * 2**k)``, is computed without rounding. Each cell gets
    either ``tract_geoid``, when it lies properly inside exactly one tract and touches no other, or
    ``candidates``, the tracts it touches (by GEOID). A cell's box is widened by 1e-9 degree for
    both tests, so "properly inside" holds with room to spare and no point is lost at a cell's
    edge. A point in no cell is in no tract's bounding box, hence in no tract. The result is the
    tract ``ST_Contains`` gives, for every point, as a spatial join over all tracts would; where
    tracts overlap (slivers of a generalized layer), a point inside two gets the first by GEOID,
    where a join would have written its row twice.
    """
    conn.execute("LOAD spatial")
    source = f"SELECT tract_geoid, ST_GeomFromGeoJSON(boundary) AS geom FROM {TRACT_BOUNDARIES}" if table_exists(conn, "core", "census_tract_boundaries") else "SELECT NULL::VARCHAR AS tract_geoid, NULL::GEOMETRY AS geom LIMIT 0"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE _tract_shapes AS {source}")
    conn.execute(load_sql("tract_grid_scale"), {"cells": TRACT_GRID_CELLS})
    conn.execute(load_sql("tract_cells"))
    return conn.execute("SELECT count(*) FROM _tract_shapes").fetchone()[0]


def coordinate_points(contract: ContractInfo) -> dict[str, dict[str, str]]:
    """Coordinate columns grouped by point: {"start": {"lat": "start_lat", "lon": "start_lon"}}."""
    points: dict[str, dict[str, str]] = {}
    for name, column in contract.schema.columns.items():
        meta = column.metadata or {}
        if meta.get("personal") == "coordinates":
            points.setdefault(meta["point"], {})[meta["axis"]] = name
    return points


def needs_tract_boundaries(contract: ContractInfo, policy: PrivacyPolicy) -> bool:
    """True if ingesting this contract coarsens coordinates to tracts (so boundaries must be loaded first)."""
    return bool(coordinate_points(contract)) and policy.action("coordinates") == "coarsen_to_tract"


WITHHELD = "[withheld: personal data; the raw file is in the landing zone]"
WITHHELD_LINE = "[withheld: a line that cannot be split into columns may hold personal data; the raw file is in the landing zone]"
WITHHELD_UNMAPPED = "[withheld: a column the contract does not use; list it in the feed's non_personal_columns to show it here]"


def exports_no_personal_columns(non_personal_columns: list[str]) -> bool:
    """True where the feed declares that no column of its export is personal (``['*']``)."""
    return "*" in non_personal_columns


def json_path(dotted: str) -> str | None:
    """A configured dotted path (``route.features.-1.geometry``) as a DuckDB JSONPath, or None for a
    path from the document's root (``$.last_updated``), which is not in the record."""
    if dotted.startswith("$.") or '"' in dotted:
        return None
    steps = []
    for step in dotted.split("."):
        if step.lstrip("-").isdigit():
            steps.append(f"[#{step}]" if step.startswith("-") else f"[{step}]")
        else:
            steps.append(f'."{step}"')
    return "$" + "".join(steps)


def quarantine_values_sql(
    headers: list[str],
    mapped: Mapping[str, str],
    contract: ContractInfo,
    policy: PrivacyPolicy,
    non_personal_columns: list[str],
    alias: str,
    raw_json: str | None = None,
) -> tuple[str, list[str]]:
    """SQL (over raw text rows ``alias``) for a quarantined row's ``raw_values``: an allow-list.

    ``mapped`` maps contract columns to the file's own headers. A contract column keeps its text
    where it is not personal (what broke the rule stays readable), or gets the treatment core gives
    it: hashed exactly as core hashes it (so a quarantined device can be matched to its accepted
    trips), or withheld. A column the contract does not use is withheld unless the feed declares it
    non-personal: an export's extra columns (a street name, a geocoded point, a vehicle id) are not
    governed by the contract, so they are not shown by default. For a JSON record (``raw_json``, the
    column holding it), a value shown keeps its JSON type.
    """
    by_header = {header: column for column, header in mapped.items()}

    def action_of(column: str) -> Action:
        kind = (contract.schema.columns[column].metadata or {}).get("personal")
        return policy.action(kind) if kind else "keep"

    # A JSON member a personal path is read from (the route of start_lat's route.features.0...) holds
    # the very values the contract withholds: it stays withheld, whatever the feed declares.
    personal_members = {header.split(".")[0] for column, header in mapped.items() if "." in header and action_of(column) != "keep"}
    parts: list[str] = []
    params: list[str] = []
    everything_public = exports_no_personal_columns(non_personal_columns)
    for header in headers:
        ref = f"{alias}{quote_ident(header)}"
        params.append(header)
        if header in by_header:
            action = action_of(by_header[header])
        elif header in personal_members:
            action = "drop"
        else:
            action = "keep" if everything_public or header in non_personal_columns else "withhold_unmapped"
        path = json_path(header) if raw_json else None
        if action == "keep" and path is not None:
            parts.append(f"?, json_extract({alias}{quote_ident(raw_json)}, ?)")
            params.append(path)
        elif action == "keep":
            parts.append(f"?, {ref}")
        elif action == "hash":
            parts.append(f"?, CASE WHEN nullif(trim({ref}), '') IS NULL THEN {ref} ELSE sha256(? || trim({ref})) END")
            params.append(policy.salt)
        else:
            parts.append(f"?, CASE WHEN {ref} IS NULL THEN NULL ELSE ? END")
            params.append(WITHHELD_UNMAPPED if action == "withhold_unmapped" else WITHHELD)
    return (f"json_object({', '.join(parts)})" if parts else "json_object()"), params
