"""What a text file's first bytes say about how it is written: its encoding, its delimiter, its
header, and whether it holds any data rows.

DuckDB's CSV reader takes a UTF-16 file declared as UTF-8 for an unparseable dialect, a
';'-separated file for one column, renames a repeated header name ("Gas therms" twice becomes
"Gas therms" and "Gas therms_1") and reads a header-only file as no rows, each without a word on
the cause. These checks run before it and say what the file is and which setting reads it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

HEAD_BYTES = 64 * 1024  # enough for a header and the first lines of any export
SAMPLE_ROWS = 20  # data lines checked against a candidate delimiter
DELIMITERS = [",", ";", "\t", "|"]
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # not str.splitlines, which also breaks at \x0b, \x1c, \x85, \u2028...
_DUCKDB_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "iso8859-1": "latin-1"}  # read natively (utf-16: little-endian only)


@dataclass(frozen=True)
class Signature:
    """A Unicode encoding recognised from a byte-order mark or from where the NUL bytes fall."""

    family: str  # UTF-8, UTF-16 or UTF-32
    codec: str  # the Python codec that decodes the file (a byte-order mark consumed)
    big_endian: bool
    evidence: str

    @property
    def setting(self) -> str:
        """The ``encoding:`` value that reads such a file."""
        return self.family.lower()


@dataclass(frozen=True)
class TextEncoding:
    """How to decode a file: the codec, DuckDB's name for it (None: DuckDB cannot read it as is), and
    why the configured encoding is wrong, if it is."""

    codec: str
    duckdb: str | None
    problem: str | None = None


@dataclass
class Layout:
    """A CSV's header and first lines: the header as the configured (or the actual) delimiter splits
    it, and the problems found in them."""

    header: list[str] | None  # None: no header at all, or one the csv module cannot split
    delimiter: str
    has_header: bool  # a non-blank line, in the sample
    data_lines: int  # non-blank lines after the first non-blank one, in the sample
    blank_lines: int  # blank lines after it, in the sample
    problems: list[str] = field(default_factory=list)


def head_of(path: Path) -> tuple[bytes, bool]:
    """The first ``HEAD_BYTES`` of a file, and whether that is the whole file."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES + 1)
    return head[:HEAD_BYTES], len(head) <= HEAD_BYTES


def unicode_signature(head: bytes) -> Signature | None:
    """UTF-8, UTF-16 or UTF-32 told by a byte-order mark, or UTF-16/32 without one by their NUL bytes."""
    marks = [
        (codecs.BOM_UTF32_LE, "UTF-32", False), (codecs.BOM_UTF32_BE, "UTF-32", True), (codecs.BOM_UTF8, "UTF-8", False),
        (codecs.BOM_UTF16_LE, "UTF-16", False), (codecs.BOM_UTF16_BE, "UTF-16", True),
    ]  # UTF-32 first: its little-endian mark starts with UTF-16's
    for mark, family, big in marks:
        if head.startswith(mark):
            codec = "utf-8-sig" if family == "UTF-8" else family.lower()
            return Signature(family, codec, big, f"it starts with a {family} byte-order mark")
    sample = head[:4096]
    for family, width in (("UTF-32", 4), ("UTF-16", 2)):
        usable = sample[: len(sample) // width * width]
        if len(usable) < 2 * width:
            continue
        nul_share = [usable[i::width].count(0) / (len(usable) // width) for i in range(width)]
        # ASCII text in UTF-16LE is "F\0a\0c\0..."; in UTF-32LE "F\0\0\0...". The other byte order mirrors it.
        for big, text_byte in ((False, 0), (True, width - 1)):
            if nul_share[text_byte] < 0.1 and all(share > 0.5 for i, share in enumerate(nul_share) if i != text_byte):
                order = "big-endian" if big else "little-endian"
                spread = "three bytes in four are" if width == 4 else "every other byte is"
                return Signature(
                    family, f"{family.lower()}-{'be' if big else 'le'}", big,
                    f"{spread} a NUL byte, as in {family} {order} text without a byte-order mark",
                )
    return None


def _family(codec_name: str) -> str:
    for family in ("utf-8", "utf-16", "utf-32"):
        if codec_name == family or codec_name.startswith(f"{family}-"):
            return family.upper()
    return "8-bit"


def _eight_bit_guess(head: bytes) -> tuple[str, str]:
    """The likelier single-byte encoding of non-UTF-8 text: Windows-1252 where it uses 0x80-0x9F
    (curly quotes, dashes, €), which Latin-1 reads as control characters; Latin-1 otherwise."""
    if any(0x80 <= b <= 0x9F for b in head):
        try:
            head.decode("cp1252")
            return "cp1252", "Windows-1252 (cp1252)"
        except UnicodeDecodeError:
            pass
    return "latin-1", "Latin-1 (ISO-8859-1)"


def _utf8_error(head: bytes, complete: bool) -> UnicodeDecodeError | None:
    try:
        # An incremental decoder: a character cut off at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError as exc:
        return exc
    return None


def text_encoding(feed_name: str, configured: str, head: bytes, complete: bool) -> TextEncoding:
    """How the file must be decoded, and what is wrong with the feed's ``encoding:`` if it does not fit.

    When it does not fit, the codec returned is the one the file appears to be in, so its lines can
    still be read (and counted) for the quarantine.
    """
    signature = unicode_signature(head)
    setting = f"for feed {feed_name!r}"
    try:
        name = codecs.lookup(configured).name
    except LookupError:
        codec = signature.codec if signature else ("utf-8" if _utf8_error(head, complete) is None else _eight_bit_guess(head)[0])
        return TextEncoding(codec, None, f"the feed's encoding {configured!r} is not a known encoding: set `encoding:` {setting} to the file's, e.g. utf-8, latin-1, cp1252 or utf-16")
    family = _family(name)
    if signature:
        mismatch = signature.family != family or (
            # An explicit byte order (utf-16-le) that is not the file's; plain utf-16 follows the file.
            name.endswith(("-le", "-be")) and name.endswith("-be") != signature.big_endian
        )
        if mismatch:
            return TextEncoding(
                signature.codec, None,
                f"the file looks like {signature.family} ({signature.evidence}) but the feed reads it as {configured}: "
                f"set `encoding: {signature.setting}` {setting}",
            )
        native = _DUCKDB_CODECS.get(name) or ("utf-16" if family == "UTF-16" and not signature.big_endian else None)
        if family != "UTF-8":
            return TextEncoding(signature.codec, native)
        head = head[len(codecs.BOM_UTF8) :]  # and then checked as UTF-8 text, below
    if family in ("UTF-16", "UTF-32"):
        guess, label = ("utf-8", "UTF-8") if _utf8_error(head, complete) is None else _eight_bit_guess(head)
        return TextEncoding(
            guess, None,
            f"the feed reads the file as {configured}, but it is not {family} text (it has no byte-order mark and no NUL bytes "
            f"between its characters): it looks like {label} text: set `encoding: {guess}` {setting}",
        )
    if family == "UTF-8":
        error = _utf8_error(head, complete)
        if error is None:
            return TextEncoding(signature.codec if signature else name, "utf-8")
        guess, label = _eight_bit_guess(head)
        line = head[: error.start].count(b"\n") + 1
        return TextEncoding(
            guess, None,
            f"the file is not {configured} encoded: byte 0x{head[error.start]:02X} on line {line} is not valid UTF-8; "
            f"it looks like {label} text: set `encoding: {guess}` {setting}",
        )
    non_ascii = re.search(rb"[\x80-\xff]+", head)
    if non_ascii and _utf8_error(head, complete) is None:
        # Non-ASCII bytes that all form UTF-8 sequences: UTF-8 text, which this encoding would garble ('é' as 'Ã©').
        sample = head[non_ascii.start():].decode("utf-8", errors="ignore")[:1]
        return TextEncoding(
            "utf-8", None,
            f"the file looks like UTF-8 (its non-ASCII characters, e.g. {sample!r}, are UTF-8 byte sequences) but the feed reads it "
            f"as {configured}, which would read {sample!r} as {sample.encode('utf-8').decode(name, errors='replace')!r}: "
            f"set `encoding: utf-8` {setting}",
        )
    return TextEncoding(name, _DUCKDB_CODECS.get(name))


def decoded_head(head: bytes, complete: bool, codec: str) -> str:
    """The sample as text, without a line the sample cuts off."""
    text = codecs.getincrementaldecoder(codec)(errors="replace").decode(head, final=complete)
    if not complete:
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]
    return text


def _records(text: str, delimiter: str, quote: str) -> list[list[str]] | None:
    """The sample's records as Python's csv module splits them; None where it cannot (a delimiter
    of several characters, which DuckDB allows)."""
    quoting = {"quotechar": quote, "doublequote": True} if quote else {"quoting": csv.QUOTE_NONE}
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False, **quoting))
    except (csv.Error, TypeError):
        return None


def _blank(record: list[str]) -> bool:
    return not record or (len(record) == 1 and not record[0].strip())


def _shown(delimiter: str) -> str:
    return {"\t": "tabs", " ": "spaces"}.get(delimiter, repr(delimiter))


def _yaml(delimiter: str) -> str:
    return '"\\t"' if delimiter == "\t" else f'"{delimiter}"'


def _header_and_rows(text: str, delimiter: str, quote: str) -> tuple[list[str] | None, list[list[str]]]:
    """The header (the first non-blank record) and up to ``SAMPLE_ROWS`` non-blank records after it."""
    records = _records(text, delimiter, quote) or []
    non_blank = [record for record in records if not _blank(record)]
    return (non_blank[0], non_blank[1 : SAMPLE_ROWS + 1]) if non_blank else (None, [])


def csv_layout(feed_name: str, text: str, delimiter: str, quote: str) -> Layout:
    """Check the header and first lines: the delimiter, repeated column names, and data lines."""
    lines = split_lines(text)
    if lines and not lines[-1]:
        lines.pop()  # after the last line break
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    after = lines[first + 1 :]
    data_lines = sum(1 for line in after if line.strip())
    header, rows = _header_and_rows(text, delimiter, quote)
    layout = Layout(header, delimiter, first < len(lines), data_lines, len(after) - data_lines)
    if header is None:
        return layout
    if len(header) == 1:
        # One column: is the file written with another delimiter? One that splits the header and
        # every sampled line into the same number (2 or more) of fields.
        fits = []
        for candidate in [d for d in DELIMITERS if d != delimiter]:
            other_header, other_rows = _header_and_rows(text, candidate, quote)
            if other_header and len(other_header) >= 2 and all(len(r) == len(other_header) for r in other_rows):
                fits.append((len(other_header), candidate, other_header))
        if fits:
            _, actual, header = max(fits, key=lambda fit: fit[0])
            layout.header, layout.delimiter = header, actual
            layout.problems.append(
                f"fields are separated by {_shown(actual)}, not {_shown(delimiter)} (with {_shown(delimiter)} only one column was found): "
                f"set `delimiter: {_yaml(actual)}` for feed {feed_name!r}"
            )
    positions: dict[str, list[int]] = {}
    for number, name in enumerate(header, start=1):
        if name.strip():  # unnamed columns (trailing delimiters) are named by position, not repeated
            positions.setdefault(name.strip(), []).append(number)
    for name, numbers in positions.items():
        if len(numbers) > 1:
            times = "twice" if len(numbers) == 2 else f"{len(numbers)} times"
            where = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
            layout.problems.append(
                f"column {name!r} appears {times} in the header (columns {where}): rename one in the export or leave the "
                f"unwanted one out; the file cannot be read unambiguously"
            )
    return layout


def no_data_rows(layout: Layout) -> str:
    """The message for a CSV with no data rows (only a header, or not even that)."""
    if not layout.has_header:
        return "no data rows: the file has no header and no data, only blank lines"
    if layout.blank_lines:
        return f"no data rows: the file has a header and {layout.blank_lines} blank line(s), nothing else"
    return "no data rows: the file has a header and nothing else"


def has_data_after_header(path: Path, codec: str) -> bool:
    """Whether any non-blank line follows the first non-blank one: read line by line, stopping at the first."""
    seen_header = False
    with path.open(encoding=codec, errors="replace", newline="") as handle:
        for line in handle:
            if line.strip():
                if seen_header:
                    return True
                seen_header = True
    return False


def split_lines(text: str) -> list[str]:
    """A text's lines, broken at CR, LF or CRLF only."""
    return LINE_BREAK.split(text)
