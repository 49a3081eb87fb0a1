"""Versioned data contracts, one module per feed.

Every module here that defines ``CONTRACT`` is a contract, found by name: adding a feed's
contract is adding a module, not editing a list.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from data_contracts._base import Contract, ContractInfo, contract_info, reporting_clock

__all__ = ["Contract", "ContractInfo", "all_contracts", "get_contract", "reporting_clock"]


@cache
def all_contracts() -> dict[str, ContractInfo]:
    """Every contract in this package, by module name."""
    found: dict[str, ContractInfo] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{module.name}")
        if hasattr(mod, "CONTRACT"):
            found[module.name] = contract_info(module.name, mod.CONTRACT)
    return found


def get_contract(name: str) -> ContractInfo:
    """A contract by name, with a message listing the known ones if it does not exist."""
    contracts = all_contracts()
    if name not in contracts:
        raise KeyError(f"No data contract named {name!r}; known contracts: {', '.join(sorted(contracts))}")
    return contracts[name]
