"""Peak memory of reading a large Open311-style XML file (``format: xml``): it is streamed, so the
peak should not grow with the file.

Each size runs in a fresh process that writes N ``<request>`` records to a temporary file, streams
them into a DuckDB temporary table (city_outcomes.feeds.xml_source.load_xml) and reports its peak
resident memory (ru_maxrss) beside the memory of the same process before reading.

    .venv/bin/python benchmarks/xml_streaming.py 200000 1000000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RECORD = (
    "<request><service_request_id>{n}</service_request_id><status>Open</status><service_name>Graffiti</service_name>"
    "<service_code>049</service_code><description/><requested_datetime>2024-03-05 10:00:00</requested_datetime>"
    '<updated_datetime xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    "<address>1 DR CARLTON B GOODLETT PL</address><lat>37.7793</lat><long>-122.4193</long></request>"
)


def _one(records: int) -> dict:
    import duckdb

    from city_outcomes.config import FeedConfig
    from city_outcomes.feeds.xml_source import load_xml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "requests.xml"
        with path.open("w", encoding="utf-8") as out:
            out.write("<service_requests>")
            for n in range(records):
                out.write(RECORD.format(n=n))
            out.write("</service_requests>")
        feed = FeedConfig(contract="service_requests", path="x", format="xml", records="service_requests/request")
        conn = duckdb.connect()
        conn.execute("SET memory_limit = '1GB'")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        load_xml(conn, feed, path, "_requests", [], "__source_row")
        seconds = time.perf_counter() - start
        rows = conn.execute("SELECT count(*) FROM _requests").fetchone()[0]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"records": rows, "file_mb": round(path.stat().st_size / 2**20, 1), "seconds": round(seconds, 2),
                "rss_before_mb": round(before), "peak_rss_mb": round(peak)}


def main(sizes: list[int], out: Path | None) -> None:
    lines = ["| records | file (MB) | read (s) | RSS before (MB) | peak RSS (MB) |", "|---:|---:|---:|---:|---:|"]
    for size in sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True)
        r = json.loads(run.stdout)
        if r["records"] != size:  # the benchmark's own correctness check
            raise SystemExit(f"read {r['records']} records of {size}")
        lines.append(f"| {r['records']:,} | {r['file_mb']} | {r['seconds']} | {r['rss_before_mb']} | {r['peak_rss_mb']} |")
    print("\n".join(lines))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "xml_streaming.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(_one(int(sys.argv[2]))))
    else:
        parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
        parser.add_argument("sizes", nargs="*", type=int, default=[200_000, 1_000_000], help="record counts, one process each")
        parser.add_argument("--out", type=Path, help="folder to write the table to (xml_streaming.md)")
        args = parser.parse_args()
        main(args.sizes, args.out)
