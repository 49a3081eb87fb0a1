"""A data contract as a document a city can hand to a department or vendor (Markdown)."""

from __future__ import annotations

import inspect

from data_contracts import ContractInfo

PERSONAL_NOTE = {
    "name": "personal: a person's name",
    "email": "personal: e-mail address",
    "phone": "personal: phone number",
    "street_address": "personal: exact street address",
    "free_text": "personal: free text may contain personal details",
    "account_id": "personal: account id",
    "device_id": "personal: device id",
    "coordinates": "personal: precise location",
}


PLAIN_CHECKS = {
    "greater_than_or_equal_to": lambda s: f"≥ {s['min_value']}",
    "greater_than": lambda s: f"> {s['min_value']}",
    "less_than_or_equal_to": lambda s: f"≤ {s['max_value']}",
    "less_than": lambda s: f"< {s['max_value']}",
    "in_range": lambda s: f"between {s['min_value']} and {s['max_value']}",
    "isin": lambda s: "one of " + ", ".join(f"`{v}`" for v in s["allowed_values"]),
    "str_matches": lambda s: f"matches `{s['pattern']}`",
}


def _rules(column) -> list[str]:
    """Each check in plain words (a custom check by its error message)."""
    rules = []
    for check in column.checks:
        plain = PLAIN_CHECKS.get(check.name)
        rules.append(plain(check.statistics) if plain and check.statistics else check.error or check.name)
    return [r.replace("|", "\\|") for r in rules]


def render_contract(contract: ContractInfo) -> str:
    """The contract's columns, types, rules and privacy treatment, in Markdown."""
    schema = contract.schema
    module_doc = inspect.getdoc(inspect.getmodule(contract.model)) or ""
    lines = [
        f"# {contract.title}",
        "",
        f"Data contract `{contract.name}`, version {contract.version}.",
        "",
        module_doc,
        "",
    ]
    if contract.time_column:
        lines += [f"- **Time column:** `{contract.time_column}`: rows are stored and refreshed by calendar month of this column."]
    if contract.unique:
        lines += [f"- **Unique key:** {', '.join(f'`{c}`' for c in contract.unique)}: no two valid rows may share it (a row with a blank key part is compared with no other). Where rows are exact copies of each other, the first is kept and each later copy is quarantined as a duplicate naming the row it repeats."]
    lines += [
        "",
        "## Columns",
        "",
        "| column | type | required | rules | description | privacy |",
        "|---|---|---|---|---|---|",
    ]
    for name, column in schema.columns.items():
        meta = column.metadata or {}
        notes = []
        if meta.get("personal"):
            notes.append(PERSONAL_NOTE.get(meta["personal"], "personal"))
        if meta.get("coarsened_from"):
            notes.append(f"filled at ingest from the `{meta['coarsened_from']}` coordinates")
        description = (column.description or "").replace("|", "\\|")
        required = "no" if column.nullable else "yes"
        lines.append(f"| `{name}` | {column.dtype} | {required} | {'; '.join(_rules(column)) or '–'} | {description} | {'; '.join(notes) or '–'} |")
    if schema.checks:
        lines += ["", "## Rules across columns", ""]
        lines += [f"- `{check.name}`: {check.error or check.name}" for check in schema.checks]
    lines += [
        "",
        "## Delivering this feed",
        "",
        "- One row per record, in CSV (with a header row) or JSON; the city maps your column names and labels to the ones above in its configuration, so you need not rename anything.",
        "- Every row is checked against the rules above. A row that breaks a rule is set aside (quarantined) with the rule and the row as you sent it, and reported back; the rest of the file is still used. A file that cannot be read at all (empty, wrong delimiter or encoding, a required column missing) is set aside whole with the reason.",
        "- Send a corrected file under the same name to replace a delivery: the earlier version is kept for the record, and the new one is used.",
    ]
    personal = [name for name, column in schema.columns.items() if (column.metadata or {}).get("personal")]
    if personal:
        lines += [
            "- Personal fields (" + ", ".join(f"`{p}`" for p in personal) + ") are dropped, hashed or coarsened to the census tract as the city's privacy policy says, before anything is stored for analysis; the raw file stays only in the access-controlled landing zone.",
        ]
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"
