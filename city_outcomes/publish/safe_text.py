"""One escaping path for every text from data or configuration that reaches the site.

City, department and building names come from a city's files; any of them may hold markup
(``<script>``, ``<img onerror=…>``) or a spreadsheet formula. Each way out of the site has one
function here, and nothing else on the site escapes:

- HTML: :func:`template_environment` autoescapes every template, whatever its file name, with
  :func:`html` (markupsafe's escaping, the table below);
- JSON inside a ``<script>`` element (the chart spec): :func:`script_json` writes ``<``, ``>``,
  ``&``, U+2028 and U+2029 as ``\\uXXXX``, so no value can end the element or open a comment;
- chart text: Vega draws titles, axis and legend labels as SVG text (never markup), but its
  tooltips are HTML; :func:`tooltip_sanitizer_js` is the page's tooltip sanitizer, the same table
  as :func:`html` in JavaScript;
- CSV: :func:`csv_cell` makes a text cell that a spreadsheet would run as a formula inert.
"""

from __future__ import annotations

import json
from typing import Any

import jinja2
import markupsafe

# markupsafe's table: what html() does, and what the tooltip sanitizer does in the browser.
HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"}
SCRIPT_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets (OWASP, CSV injection).
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def html(value: Any) -> markupsafe.Markup:
    """``value`` as HTML text: markup characters escaped (what every template does to every value)."""
    return markupsafe.escape(value)


def script_json(value: Any, indent: int | None = None) -> markupsafe.Markup:
    """``value`` as JSON that is safe inside a ``<script>`` element and still valid JSON."""
    text = json.dumps(value, default=str, indent=indent, ensure_ascii=False)
    return markupsafe.Markup(text.translate(str.maketrans(SCRIPT_JSON_ESCAPES)))


def tooltip_sanitizer_js() -> markupsafe.Markup:
    """A JavaScript function expression that escapes a tooltip value as :func:`html` does, for vega-embed."""
    # Joined as plain text first: adding a str to a Markup would HTML-escape the str.
    table = str(script_json(HTML_ESCAPES))
    characters = "".join(HTML_ESCAPES)
    source = f"function (value) {{ var table = {table}; return String(value).replace(/[{characters}]/g, function (c) {{ return table[c]; }}); }}"
    return markupsafe.Markup(source)


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a string starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def template_environment(package: str, folder: str = "templates") -> jinja2.Environment:
    """A Jinja environment for the site's templates: every template autoescaped, ``script_json`` as a filter."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(package, folder),
        # Always on: select_autoescape(["html"]) misses templates named *.html.j2.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["script_json"] = script_json
    return environment
