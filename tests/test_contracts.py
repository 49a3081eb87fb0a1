"""Contracts: found by name, documented for vendors, and their documents kept current."""

from __future__ import annotations

from pathlib import Path

import pytest

from city_outcomes.contract_docs import render_contract
from data_contracts import all_contracts, get_contract

DOCS = Path(__file__).resolve().parents[1] / "docs" / "contracts"


def test_every_contract_module_is_found_with_a_version() -> None:
    contracts = all_contracts()
    assert {"building_energy", "fleet_fuel", "micromobility_trips", "service_requests", "goals", "initiatives"} <= set(contracts)
    for contract in contracts.values():
        assert contract.version.count(".") == 2, contract.name


def test_an_unknown_contract_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known contracts: building_energy"):
        get_contract("building_energi")


@pytest.mark.parametrize("name", sorted(all_contracts()))
def test_contract_documents_are_current(name: str) -> None:
    """docs/contracts/ is what `city-outcomes contract --all` writes: regenerate it after changing a contract."""
    assert (DOCS / f"{name}.md").read_text() == render_contract(get_contract(name))


def test_a_contract_document_says_what_a_vendor_needs() -> None:
    text = render_contract(get_contract("micromobility_trips"))
    assert "version 1.2.0" in text
    assert "| `trip_distance_m` | float64 | yes | ≥ 0; ≤ 100000 |" in text
    assert "| `device_id` | string | no | – | Provider's device id (hashed at ingest) | personal: device id |" in text
    assert "end_time must not be before start_time" in text
    assert "set aside (quarantined)" in text
