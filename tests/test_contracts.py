"""Contracts: found by name, documented for vendors, and their documents kept current."""

from __future__ import annotations

from pathlib import Path

import pytest

from city_outcomes import warehouse
from city_outcomes.contract_docs import render_contract
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.reconcile import reconciliation_failures
from data_contracts import all_contracts, get_contract
from data_contracts._base import ID_RULE
from tests.conftest import write_city

DOCS = Path(__file__).resolve().parents[1] / "docs" / "contracts"


def test_every_contract_module_is_found_with_a_version() -> None:
    contracts = all_contracts()
    assert {"building_energy", "fleet_fuel", "micromobility_trips", "service_requests", "goals", "initiatives"} <= set(contracts)
    for contract in contracts.values():
        assert contract.version.count(".") == 2, contract.name


def test_an_unknown_contract_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known contracts: building_benchmarking, building_energy"):
        get_contract("building_energi")


@pytest.mark.parametrize("name", sorted(all_contracts()))
def test_contract_documents_are_current(name: str) -> None:
    """docs/contracts/ is what `city-outcomes contract --all` writes: regenerate it after changing a contract."""
    assert (DOCS / f"{name}.md").read_text() == render_contract(get_contract(name))


def test_a_contract_document_says_what_a_vendor_needs() -> None:
    text = render_contract(get_contract("micromobility_trips"))
    assert "version 1.4.0" in text
    assert "| `trip_distance_m` | float64 | yes | ≥ 0; ≤ 100000 |" in text
    assert "| `device_id` | string | no | – | Provider's device id (hashed at ingest) | personal: device id |" in text
    assert "end_time must not be before start_time" in text
    assert "set aside (quarantined)" in text


# Every field that names a thing (a building, fixture, vehicle, station, route, request...) takes the
# shared id rule; goal and initiative ids are URL slugs with their own pattern, and personal ids
# (hashed at ingest) are not keys.
ID_FIELDS = {
    "building_energy": {"building_id"},
    "buildings": {"building_id"},
    "fleet_fuel": {"vehicle_id"},
    "fleet_vehicles": {"vehicle_id"},
    "micromobility_trips": {"trip_id"},
    "streetlight_energy": {"fixture_id"},
    "streetlight_fixtures": {"fixture_id"},
    "transit_ridership": {"route_id"},
    "ev_charging_sessions": {"station_id", "port_id"},
    "gbfs_station_information": {"system_id", "station_id"},
    "gbfs_station_status": {"system_id", "station_id"},
    "service_requests": {"service_request_id"},
    "building_benchmarking": {"property_id"},
    "ev_charging_energy": {"station_id"},
    "community_energy": {"utility"},
    "published_emissions": {"facility_id"},
}


def test_every_id_field_uses_the_shared_id_rule_and_no_other_pattern() -> None:
    found = {}
    for contract in all_contracts().values():
        for name, column in contract.schema.columns.items():
            checks = {check.name for check in column.checks}
            if "printable_id" in checks:
                found.setdefault(contract.name, set()).add(name)
                assert "str_matches" not in checks, (contract.name, name)
            elif name.endswith("_id") and contract.name not in ("goals", "initiatives"):
                assert (column.metadata or {}).get("personal"), f"{contract.name}.{name} is an id without the id rule"
    assert found == ID_FIELDS


HEADER = "Facility ID,Facility Name,Service Month,Commodity,Usage,UOM,Cost ($)\n"


def _bill(facility: str) -> str:
    return f"{facility},Some building,01/2023,Electric,100,KWH,13.00\n"


def test_facility_names_are_ids_and_control_characters_or_runaway_ids_are_quarantined_with_the_rule(tmp_path: Path) -> None:
    """Real exports key facilities by name; only tabs, line breaks, control characters and overlong ids are refused."""
    accepted = ["City Hall", "Fire Station #3", "Bibliothèque Centrale", "Y" * 128]
    refused = ["Pump\tHouse", '"Annex\nWest"', "Old\x01Depot", "X" * 200, "Depot\u2028East"]
    text = HEADER + "".join(_bill(f) for f in [*accepted, "  Library  ", *refused])
    city = write_city(tmp_path)
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    (folder / "utility_bills_names.csv").write_bytes(text.encode("utf-8"))
    conn = warehouse.connect(tmp_path / "warehouse.duckdb")
    outcome = ingest_feed(conn, city, "building_energy")

    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (10, 5, 5)
    ids = {row[0] for row in conn.execute("SELECT building_id FROM core.building_energy").fetchall()}
    assert ids == {*accepted, "Library"}  # the padding trimmed
    quarantined = conn.execute("SELECT source_row, failed_rules, raw_values FROM meta.quarantine ORDER BY source_row").fetchall()
    assert [row for row, _, _ in quarantined] == [6, 7, 8, 9, 10]  # records, not lines: the quoted line break is one record
    assert all(list(rules) == [f"building_id: {ID_RULE}"] for _, rules, _ in quarantined)
    assert '"Pump\\tHouse"' in quarantined[0][2] and "Annex\\nWest" in quarantined[1][2]
    assert reconciliation_failures(conn, "building_energy") == []
