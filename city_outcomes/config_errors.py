"""Configuration problems as one line each, naming the file, the line and what is allowed.

A YAML file is parsed with its line marks (PyYAML's node tree), so every problem can point at the
line to edit: an unknown key at the key's line, a bad value at the value's line, a missing key at
the line of the mapping it belongs in. Pydantic's errors are translated generically from the
models (allowed keys from a model's fields, allowed values from a ``Literal``), so a key added to a
model later gets the same treatment without a list to maintain here.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

Loc = tuple[Any, ...]
Severity = Literal["error", "warning"]
At = Literal["value", "key", "missing"]


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in one configuration file."""

    file: Path
    line: int  # 1-based
    where: str  # dotted key path, e.g. feeds.trips.format ('' for the file as a whole)
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        level = "warning: " if self.severity == "warning" else ""
        where = f"{self.where}: " if self.where else ""
        return f"{self.file}:{self.line}: {level}{where}{self.message}"


class ConfigError(ValueError):
    """A configuration that cannot be used: every error found, one line each."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = list(issues)
        files = ", ".join(dict.fromkeys(str(issue.file) for issue in self.issues))
        # A header first: Dagster shows this message above a stack trace when the code location fails to load.
        header = f"{len(self.issues)} problem(s) in the configuration {files} (`city-outcomes check-config FILE` lists them with the inbox's):"
        super().__init__("\n".join([header, *(str(issue) for issue in self.issues)]))


def errors_of(issues: Sequence[ConfigIssue]) -> list[ConfigIssue]:
    """The issues that are errors (not warnings)."""
    return [issue for issue in issues if issue.severity == "error"]


def dotted(loc: Loc) -> str:
    """A location as the user writes it: ``feeds.trips.columns`` (list items as ``[2]``)."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) and not isinstance(part, bool) else (f".{part}" if text else str(part))
    return text


def closest(word: object, choices: Sequence[str]) -> str:
    """'; did you mean 'x'?' for the nearest choice, or ''."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


@dataclass
class YamlDocument:
    """A YAML file parsed with line marks: its data, its node tree and the problems of the YAML itself."""

    path: Path
    data: Any = None
    root: yaml.Node | None = None
    issues: list[ConfigIssue] = field(default_factory=list)
    parsed: bool = True  # False after a YAML syntax error: there is no data to check

    @classmethod
    def read(cls, path: Path) -> YamlDocument:
        """Parse ``path`` (raises FileNotFoundError); syntax errors and duplicate keys become issues."""
        doc = cls(path)
        text = path.read_text(encoding="utf-8")
        loader = yaml.SafeLoader(text)
        try:
            doc.root = loader.get_single_node()
            doc.data = loader.construct_document(doc.root) if doc.root is not None else None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            context = f" ({error.context}, line {error.context_mark.line + 1})" if error.context and error.problem and error.context_mark else ""
            doc.issues.append(ConfigIssue(path, line, "", f"YAML syntax error at column {column}: {error.problem or error.context}{context}"))
            doc.root, doc.data, doc.parsed = None, None, False
            return doc
        except yaml.YAMLError as error:  # e.g. a reader error: a character YAML does not allow
            doc.issues.append(ConfigIssue(path, 1, "", f"YAML error: {error}"))
            doc.root, doc.data, doc.parsed = None, None, False
            return doc
        finally:
            loader.dispose()
        if doc.root is not None:
            doc._find_duplicates(doc.root, ())
        return doc

    def _find_duplicates(self, node: yaml.Node, loc: Loc) -> None:
        # PyYAML keeps the last of two equal keys without a word; the first is then silently ignored.
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = _key_value(key_node)
                if key in seen:
                    self.issues.append(ConfigIssue(
                        self.path, key_node.start_mark.line + 1, dotted((*loc, key)),
                        f"duplicate key (also on line {seen[key]}); YAML would keep only this one and ignore the other: remove one",
                    ))
                else:
                    seen[key] = key_node.start_mark.line + 1
                self._find_duplicates(value_node, (*loc, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._find_duplicates(item, (*loc, index))

    def line(self, loc: Loc, at: At = "value") -> int:
        """The 1-based line of ``loc``: its value's (a scalar's own line, a collection's key line), its key's,
        or (``missing``) the line of the mapping the missing key belongs in. Falls back to the deepest part found."""
        node, key_node = self.root, None
        if node is None:
            return 1
        for depth, part in enumerate(loc):
            child = _child(node, part)
            if child is None:
                break  # a missing key, or a pydantic location part that is not in the YAML
            if at == "missing" and depth == len(loc) - 1:
                break
            key_node, node = child
        else:
            if at == "key" and key_node is not None:
                return key_node.start_mark.line + 1
            if isinstance(node, yaml.ScalarNode) or key_node is None:
                return node.start_mark.line + 1
            return key_node.start_mark.line + 1
        return (key_node or node).start_mark.line + 1

    def has(self, loc: Loc) -> bool:
        """True if every part of ``loc`` is in the file."""
        node = self.root
        for part in loc:
            child = _child(node, part) if node is not None else None
            if child is None:
                return False
            node = child[1]
        return node is not None

    def issue(self, loc: Loc, message: str, at: At = "value", severity: Severity = "error") -> ConfigIssue:
        """An issue at ``loc`` of this file."""
        return ConfigIssue(self.path, self.line(loc, at), dotted(loc), message, severity)


def _key_value(node: yaml.Node) -> Any:
    """A mapping key as YAML constructs it (``2023`` is an int, ``on`` a bool)."""
    if isinstance(node, yaml.ScalarNode):
        try:
            return yaml.SafeLoader("").construct_object(node)
        except yaml.YAMLError:  # a merge key (<<) has no value of its own
            return node.value
    return repr(node.value)


def _child(node: yaml.Node, part: Any) -> tuple[yaml.Node | None, yaml.Node] | None:
    """(key node, value node) of ``part`` in a mapping or sequence node, or None."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in reversed(node.value):  # the last of duplicates is the one YAML keeps
            key = _key_value(key_node)
            if key == part or (isinstance(part, str) and str(key) == part):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def _unwrap(annotation: Any) -> Any:
    """``X | None`` as ``X``."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def type_at(model: type[BaseModel], loc: Loc) -> Any:
    """The annotation a location has in ``model`` (through nested models, dicts and lists), or None."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field_info = next((info for name, info in annotation.model_fields.items() if part in (name, _key_name(name, info))), None)
            if field_info is None:
                return None
            annotation = field_info.annotation
        elif get_origin(annotation) in (dict, Mapping) and len(get_args(annotation)) == 2:
            annotation = get_args(annotation)[1]
        elif get_origin(annotation) in (list, tuple, set, Sequence) and get_args(annotation):
            annotation = get_args(annotation)[0]
        else:
            return None
    return _unwrap(annotation)


def allowed_keys(model: type[BaseModel], loc: Loc, internal: Sequence[str] = ()) -> list[str]:
    """The keys the mapping at ``loc`` accepts (a model's fields), without those the loader sets itself."""
    annotation = type_at(model, loc)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [_key_name(name, info) for name, info in annotation.model_fields.items() if name not in internal]
    return []


def _key_name(name: str, info: Any) -> str:
    """The key a field is written as in the file: its alias (``from``) if it has one."""
    alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
    return alias or name


def literal_values(model: type[BaseModel], loc: Loc) -> list[Any]:
    """The values a ``Literal`` location allows, or []."""
    annotation = type_at(model, loc)
    return list(get_args(annotation)) if get_origin(annotation) is Literal else []


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _in_file(doc: YamlDocument, loc: Loc) -> Loc:
    """The longest start of a pydantic location that is in the file (pydantic adds parts that are not keys,
    such as the branch of a union)."""
    for depth in range(len(loc), 0, -1):
        if doc.has(loc[:depth]):
            return loc[:depth]
    return ()


_KEY_PREFIX = re.compile(r"^(?:Value error, )?([A-Za-z_][\w-]*(?:\.[\w-]+)*): (.+)$", re.DOTALL)


def _named_key(doc: YamlDocument, where: Loc, message: str) -> tuple[Loc, str]:
    """A model-level check's message that starts by naming its key (``derive: ...``, ``feeds.x.lookup.y.from.feed: ...``)
    is placed at that key: relative to where pydantic put it, else from the top of the file."""
    match = _KEY_PREFIX.match(message)
    if match:
        named = tuple(match.group(1).split("."))
        if where[-len(named):] == named:  # the message repeats the key it is already at
            return where, match.group(2)
        for candidate in ((*where, *named), named):
            if doc.has(candidate):
                return candidate, match.group(2)
    return where, message


def pydantic_issues(doc: YamlDocument, error: ValidationError, model: type[BaseModel], internal: Sequence[str] = ()) -> list[ConfigIssue]:
    """Each of pydantic's errors as a one-line issue at its line, saying what is allowed."""
    issues: list[ConfigIssue] = []
    for detail in error.errors(include_url=False):
        loc, kind, message = tuple(detail["loc"]), detail["type"], detail["msg"]
        if kind == "missing":
            issues.append(ConfigIssue(doc.path, doc.line(loc, "missing"), dotted(loc),
                                      f"required key missing: add `{loc[-1]}:` to {dotted(loc[:-1]) or 'the top level of the file'}"))
            continue
        if kind == "extra_forbidden":
            allowed = allowed_keys(model, loc[:-1], internal)
            issues.append(doc.issue(loc, f"unknown key; allowed keys here: {', '.join(allowed)}{closest(loc[-1], allowed)}", at="key"))
            continue
        if "[key]" in loc:
            key_loc = loc[: loc.index("[key]")]
            issues.append(doc.issue(key_loc, f"the key {key_loc[-1]!r}: {message}", at="key"))
            continue
        where = _in_file(doc, loc)
        where, message = _named_key(doc, where, message)
        if kind == "literal_error":
            allowed = [str(value) for value in literal_values(model, loc)] or [detail.get("ctx", {}).get("expected", "")]
            message = f"{_shown(detail['input'])} is not allowed; allowed values: {', '.join(allowed)}{closest(detail['input'], allowed)}"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            keys = allowed_keys(model, loc, internal)
            message = "should be a mapping" + (f" with keys among: {', '.join(keys)}" if keys else " (key: value lines)") + f", not {_shown(detail['input'])}"
        else:
            for prefix in ("Value error, ", "Assertion failed, "):
                message = message.removeprefix(prefix)
            if kind not in ("value_error", "assertion_error") and not isinstance(detail.get("input"), (dict, list)):
                message = f"{message} (found {_shown(detail['input'])})"
        issues.append(doc.issue(where, message))
    return issues


def validate(doc: YamlDocument, model: type[BaseModel], data: Mapping[str, Any], internal: Sequence[str] = ()) -> tuple[BaseModel | None, list[ConfigIssue]]:
    """``model`` validated from ``data`` (the document's data, perhaps completed by the loader), with every problem located."""
    try:
        return model.model_validate(dict(data)), []
    except ValidationError as error:
        return None, pydantic_issues(doc, error, model, internal)
