"""What the CLI says when the configuration or the inbox is not what it should be: one line, naming the setting."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from city_outcomes import warehouse
from city_outcomes.feeds.ingest import ingest_feed
from pipelines.cli import app
from tests.conftest import write_city

HEADER = "Facility ID,Service Month,Commodity,Usage,UOM,Cost ($)\n"


def _one_line(output: str) -> str:
    return " ".join(output.split())


def test_a_misspelt_feed_key_is_one_line_naming_the_file_and_the_key(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    raw = yaml.safe_load(city.config_path.read_text())
    raw["feeds"]["building_energy"]["delimeter"] = ";"
    city.config_path.write_text(yaml.safe_dump(raw))
    result = CliRunner().invoke(app, ["summary", "--city", str(city.config_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    # The key's line in the file (yaml.safe_dump writes the feed's keys sorted, `delimeter` after `date_formats`).
    line = city.config_path.read_text().splitlines().index("    delimeter: ;") + 1
    assert f"{city.config_path}:{line}: feeds.building_energy.delimeter: unknown key;" in result.output
    assert "did you mean 'delimiter'?" in _one_line(result.output)


def test_a_missing_configuration_and_an_unknown_contract_are_one_line(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["summary", "--city", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "City configuration not found" in missing.output and "Traceback" not in missing.output
    contract = CliRunner().invoke(app, ["contract", "nosuch"])
    assert contract.exit_code == 2 and "No data contract named 'nosuch'" in _one_line(contract.output)


def test_a_run_says_which_feeds_have_no_file_and_when_the_inbox_is_missing(tmp_path: Path) -> None:
    city = write_city(tmp_path, feeds={"building_energy": yaml.safe_load((Path(__file__).parents[1] / "cities/demo/city.yaml").read_text())["feeds"]["building_energy"]})
    result = CliRunner().invoke(app, ["run", "--city", str(city.config_path)], env={"DAGSTER_HOME": str(tmp_path / "home")})
    assert result.exit_code == 0, result.output
    text = _one_line(result.output)
    assert f"The inbox {city.inbox_dir} does not exist (paths.inbox in {city.config_path})" in text
    assert f"feed building_energy: no file matches building_energy/utility_bills_*.csv under {city.inbox_dir} (its `path:`)" in text


def test_quarantine_lists_an_unreadable_files_lines_once_not_instead_of_the_rows(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    (folder / "utility_bills_a.csv").write_text(HEADER.replace(",", ";") + "".join(f"F-{i};01/2024;Electric;1;KWH;1\n" for i in range(30)))
    (folder / "utility_bills_b.csv").write_text(HEADER + "F-1,01/2024,Electric,-5,KWH,1\n")
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "building_energy")
    conn.close()
    result = CliRunner().invoke(app, ["quarantine", "--city", str(city.config_path)])
    text = _one_line(result.output)
    assert "utility_bills_a.csv (30 line(s) quarantined): fields are separated by ';'" in text
    # The default limit of 20 is not used up by the unreadable file's lines: the real bad row shows.
    assert "building_energy: 1 row(s) quarantined: utility_bills_b.csv row 1: quantity: greater_than_or_equal_to(0)" in text
    unknown = CliRunner().invoke(app, ["quarantine", "--feed", "nosuch", "--city", str(city.config_path)])
    assert unknown.exit_code == 2 and "no feed 'nosuch'" in _one_line(unknown.output)


def test_a_feed_removed_from_the_configuration_is_named_and_can_still_be_retired(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    (folder / "utility_bills_a.csv").write_text(HEADER + "F-1,01/2024,Electric,5,KWH,1\n")
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "building_energy")
    conn.close()
    raw = yaml.safe_load(city.config_path.read_text())
    del raw["feeds"]["building_energy"]
    city.config_path.write_text(yaml.safe_dump(raw))
    summary = CliRunner().invoke(app, ["summary", "--city", str(city.config_path)])
    assert "feed building_energy is no longer in" in _one_line(summary.output) and "still holds its rows" in _one_line(summary.output)
    retired = CliRunner().invoke(app, ["retire", "building_energy", "utility_bills_a.csv", "--reason", "feed dropped", "--city", str(city.config_path)])
    assert retired.exit_code == 0, retired.output
    conn = warehouse.connect(city.warehouse_path, read_only=True)
    assert conn.execute("SELECT count(*) FROM core.building_energy").fetchone()[0] == 0
    conn.close()


def test_a_file_two_feeds_of_one_contract_both_match_is_named(tmp_path: Path) -> None:
    demo_feed = yaml.safe_load((Path(__file__).parents[1] / "cities/demo/city.yaml").read_text())["feeds"]["building_energy"]
    city = write_city(tmp_path, feeds={"building_energy": demo_feed, "building_energy_again": {**demo_feed, "path": "building_energy/*.csv"}})
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    (folder / "utility_bills_a.csv").write_text(HEADER + "F-1,01/2024,Electric,5,KWH,1\n")
    result = CliRunner().invoke(app, ["run", "--city", str(city.config_path)], env={"DAGSTER_HOME": str(tmp_path / "home")})
    assert result.exit_code == 0, result.output
    assert f"file {folder / 'utility_bills_a.csv'} matches the paths of feeds building_energy and building_energy_again, both contract building_energy" in _one_line(result.output)
