"""Reading an XML export (Open311 GeoReport v2 ``requests.xml`` and the like) as records of text.

The feed's ``records`` is the path of the record elements from the root, steps separated by ``/``
(``service_requests/request``). A step without a prefix matches an element in no namespace; a step
``o:request`` matches ``request`` in the namespace the feed's ``namespaces`` binds ``o`` to. Within a
record, columns are named by local name (namespaces ignored): each child element's text is the column
of its name, each attribute of the record is ``@name``; deeper values are read by path where the
feed's ``columns`` names one (``location/lat``, ``media/@url``). An element marked ``xsi:nil="true"``
and an empty element are null. A repeated child keeps its first occurrence.

The file is streamed (lxml ``iterparse``): each record is turned into text and cleared once read, and
records are written to the temporary table in batches, so a large file never sits in memory.
Entities are not expanded and nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
from lxml import etree

from city_outcomes.config import FeedConfig
from city_outcomes.feeds.text_table import TextTableWriter

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NIL = f"{{{XSI}}}nil"


class XmlProblem(Exception):
    """Why an XML file cannot be read as its feed's records (the reader adds the feed and file)."""


@dataclass(frozen=True)
class Step:
    """One step of the records path: a namespace (None: no namespace) and a local name."""

    namespace: str | None
    local: str
    text: str  # as written in the configuration

    def matches(self, element: etree._Element) -> bool:
        qname = etree.QName(element)
        return qname.localname == self.local and qname.namespace == self.namespace


def records_path(feed: FeedConfig) -> list[Step]:
    """The configured records path as steps, each prefix resolved through ``namespaces``."""
    steps = []
    for text in [s for s in feed.records.strip("/").split("/") if s]:
        prefix, _, local = text.rpartition(":")
        if prefix and prefix not in feed.namespaces:
            defined = ", ".join(sorted(feed.namespaces)) or "none"
            raise XmlProblem(f"the records path {feed.records!r} uses the prefix {prefix!r}, which `namespaces:` does not define (defined: {defined})")
        steps.append(Step(feed.namespaces[prefix] if prefix else None, local, text))
    if not steps:
        raise XmlProblem("`records:` is empty: set it to the path of the record elements, e.g. `records: service_requests/request`")
    return steps


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def element_text(element: etree._Element | None) -> str | None:
    """An element's text (all of it, for mixed content); None when it is empty or xsi:nil."""
    if element is None or element.get(_NIL) in ("true", "1"):
        return None
    text = "".join(element.itertext()) if len(element) else element.text
    return text if text else None


def _at_path(record: etree._Element, path: str) -> str | None:
    """The text at ``a/b`` or the attribute at ``a/@x`` below a record, by local names."""
    node: etree._Element | None = record
    for step in path.split("/"):
        if node is None:
            return None
        if step.startswith("@"):
            return next((v for k, v in node.attrib.items() if etree.QName(k).localname == step[1:]), None)
        node = next((child for child in node if isinstance(child.tag, str) and _local(child) == step), None)
    return element_text(node)


def record_values(record: etree._Element, paths: list[str]) -> dict[str, str | None]:
    """One record as columns: its attributes (``@name``), its children by local name, and ``paths``."""
    values: dict[str, str | None] = {}
    for key, value in record.attrib.items():
        if key != _NIL:
            values.setdefault(f"@{etree.QName(key).localname}", value)
    for child in record:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            values.setdefault(_local(child), element_text(child))
    for path in paths:
        values[path] = _at_path(record, path)
    return values


def _iter_records(path: Path, feed: FeedConfig, steps: list[Step]) -> Iterator[etree._Element]:
    """Stream the record elements of a file, clearing each one after it has been handed out."""
    encoding = None if feed.encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig") else feed.encoding
    depth = len(steps) - 1  # the records' depth (0: the root)
    on_path: list[bool] = []
    in_record = -1  # depth of the record being read, -1 outside one
    seen_elsewhere: dict[int, tuple[str, str | None]] = {}  # a step's local name found in another namespace
    found = 0
    root_name = ""
    parser = etree.iterparse(
        str(path), events=("start", "end"), encoding=encoding, resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        for event, element in parser:
            if event == "start":
                level = len(on_path)
                if level == 0:
                    root_name = _local(element)
                parent_on_path = on_path[-1] if on_path else True
                matched = in_record < 0 and parent_on_path and level <= depth and steps[level].matches(element)
                if in_record < 0 and parent_on_path and level <= depth and not matched and _local(element) == steps[level].local:
                    seen_elsewhere.setdefault(level, (_local(element), etree.QName(element).namespace))
                on_path.append(matched)
                if matched and level == depth:
                    in_record = level
                continue
            level = len(on_path) - 1
            matched = on_path.pop()
            if matched and level == depth:
                in_record = -1
                found += 1
                yield element
            if in_record < 0:
                # Done with it (a record, or anything outside one): free it and what came before it.
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise XmlProblem(_syntax_problem(exc, feed)) from exc
    if found == 0:
        raise XmlProblem(_no_records(feed, steps, root_name, seen_elsewhere))


def _syntax_problem(exc: etree.XMLSyntaxError, feed: FeedConfig) -> str:
    message = (exc.msg or str(exc)).split("\n")[0].strip()
    text = f"is not well-formed XML: {message}" if exc.lineno is None or f"line {exc.lineno}" in message else f"is not well-formed XML at line {exc.lineno}: {message}"
    if "encoding" in message.lower() or "utf-8" in message.lower() or "char 0x" in message.lower():
        text += f"; if the file is in another encoding than its XML declaration says, set `encoding:` for feed to the file's (now {feed.encoding!r})"
    return text


def _no_records(feed: FeedConfig, steps: list[Step], root_name: str, seen_elsewhere: dict[int, tuple[str, str | None]]) -> str:
    """Why no element was found at the records path, in words, with the setting that fixes it."""
    where = f"no <{steps[-1].local}> record at {feed.records!r}"
    if root_name and not steps[0].local == root_name:
        return f"{where}: the root element is <{root_name}>, not <{steps[0].local}>; set `records:` to the path of the record elements from <{root_name}>"
    for level in sorted(seen_elsewhere):
        local, namespace = seen_elsewhere[level]
        step = steps[level]
        if namespace and step.namespace is None:
            return (
                f"{where}: the file's <{local}> is in the namespace {namespace!r}, and a step without a prefix means no namespace: "
                f"set `namespaces: {{ns: '{namespace}'}}` and write the path with it, e.g. `records: {'/'.join('ns:' + s.local for s in steps)}`"
            )
        if namespace != step.namespace:
            expected = repr(step.namespace) if step.namespace else "no namespace"
            actual = repr(namespace) if namespace else "no namespace"
            return f"{where}: the file's <{local}> is in {actual}, but {step.text!r} names {expected}: correct `namespaces:` or the prefix in `records:`"
    return f"no data rows: there is no <{steps[-1].local}> element at {feed.records!r}"


def sniff_not_xml(head: bytes) -> str | None:
    """A problem when a file's first bytes are plainly not XML (JSON, CSV, a ZIP archive), else None."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return "is a ZIP archive (an Excel .xlsx workbook?), not XML: set `format: xlsx` for an Excel workbook"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # UTF-16 with a byte-order mark: the parser reads it
    if not text.startswith(b"<"):
        first = text[:1].decode("latin-1", errors="replace")
        hint = "; it looks like JSON: set `format: json`" if first in "{[" else ""
        return f"is not XML: its first character is {first!r}, not '<'{hint}"
    return None


def load_xml(conn: duckdb.DuckDBPyConnection, feed: FeedConfig, path: Path, temp_name: str, wanted: list[str], source_row: str) -> list[str]:
    """Stream a file's records into the temporary table ``temp_name``; return its columns.

    ``wanted``: the columns the feed reads (configured paths with ``/`` are evaluated per record).
    Raises :class:`XmlProblem` when the file is not XML, is malformed (with the line) or has no record
    at the configured path (with what the file has instead).
    """
    with path.open("rb") as handle:
        problem = sniff_not_xml(handle.read(64))
    if problem:
        raise XmlProblem(problem)
    steps = records_path(feed)
    paths = [p for p in dict.fromkeys(wanted) if "/" in p]
    writer = TextTableWriter(conn, temp_name, source_row)
    try:
        for record in _iter_records(path, feed, steps):
            writer.add(record_values(record, paths))
        writer.close()
    except BaseException:
        writer.drop()
        raise
    return writer.columns


def record_texts(path: Path, feed: FeedConfig) -> list[tuple[int, str]] | None:
    """Each record of a well-formed file as its XML text, numbered (for the quarantine of a file that
    cannot be ingested); None when the file does not parse or has no record at the path."""
    try:
        steps = records_path(feed)
        return [(n, etree.tostring(r, encoding="unicode", with_tail=False)) for n, r in enumerate(_iter_records(path, feed, steps), start=1)]
    except (XmlProblem, OSError):
        return None


def parses_without_records(path: Path, feed: FeedConfig) -> bool:
    """Whether a file is well-formed XML whose records path holds no record at all."""
    try:
        for _ in _iter_records(path, feed, records_path(feed)):
            return False
    except XmlProblem as exc:
        return str(exc).startswith("no data rows")
    except OSError:
        return False
    return True
