"""The DuckDB extension folder is linked safely when many processes connect for the first time at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from city_outcomes.warehouse import extension_directory, link_extensions


def _shipped(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    files = [folder / f"{name}.duckdb_extension" for name in ("icu", "spatial")]
    for file in files:
        file.write_bytes(b"extension " + file.name.encode())
    return files


def test_many_first_connections_at_once_all_succeed(tmp_path: Path) -> None:
    # CI failed once on this: two workers both saw no link, and the second symlink_to raised FileExistsError.
    shipped, target = _shipped(tmp_path), tmp_path / "extensions" / "v1" / "linux_amd64"
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: link_extensions(target, shipped), range(64)))
    assert sorted(p.name for p in target.iterdir()) == ["icu.duckdb_extension", "spatial.duckdb_extension"]
    assert [(target / f.name).read_bytes() for f in shipped] == [f.read_bytes() for f in shipped]


def test_a_link_left_by_an_older_environment_is_replaced(tmp_path: Path) -> None:
    shipped, target = _shipped(tmp_path), tmp_path / "extensions"
    target.mkdir()
    (target / "icu.duckdb_extension").symlink_to(tmp_path / "gone" / "icu.duckdb_extension")  # dangling
    link_extensions(target, shipped)
    assert (target / "icu.duckdb_extension").resolve() == shipped[0].resolve()


def test_the_environment_links_icu_for_time_zones() -> None:
    assert any(p.name == "icu.duckdb_extension" and p.exists() for p in extension_directory().rglob("*.duckdb_extension"))
