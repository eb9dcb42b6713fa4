"""Read YAML while remembering the line of every key, so later checks can point at it.

Scenario files come from users and from the explorer's editor, so the reader bounds what a file can
cost before any of it is built: its size, its nesting depth (checked on the parser's event stream,
which needs no recursion) and the number of items once aliases are expanded (a few hundred bytes of
nested anchors can otherwise expand to gigabytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from escalade.scenario.errors import Problem

Path = tuple[str | int, ...]

MAX_BYTES = 2_000_000
MAX_DEPTH = 64
MAX_ITEMS = 200_000  # keys, items and values, aliases expanded
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass
class Lines:
    """Line numbers (1-based) of the keys and items of a YAML document, by path."""

    file: str
    by_path: dict[Path, int] = field(default_factory=dict)

    def of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.by_path.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def problem(self, path: Path, message: str, hint: str) -> Problem:
        return Problem(self.file, self.of(path), message, hint)


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """The text of a scenario file's bytes, or the problem that stops it being read as one (its size is
    checked before it is read, by the caller, and again as text by :func:`load_yaml`)."""
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        return None, [Problem(file, line, "this is a binary file, not YAML text", "give the scenario's .yaml file")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = "save the file as UTF-8 text (most editors offer it under 'Save as… / Encoding')"
        return None, [Problem(file, line, f"byte 0x{data[exc.start]:02x} is not UTF-8 text", hint)]


def load_yaml(text: str, file: str) -> tuple[Any, Lines, list[Problem]]:
    """Parse ``text``; return the data, the line map and any problems (bad YAML, duplicate keys, a
    document too deep or too large once its aliases are expanded)."""
    lines = Lines(file)
    problems: list[Problem] = []
    if len(text) > MAX_BYTES:
        hint = f"a scenario is a short text (at most {MAX_BYTES:,} characters)"
        return None, lines, [Problem(file, None, f"the text is {len(text):,} characters long", hint)]
    loader: yaml.SafeLoader | None = None
    try:
        too_deep = _too_deep(text, file)
        if too_deep is not None:
            return None, lines, [too_deep]
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        return None, lines, [_yaml_problem(exc, text, file)]
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return None, lines, problems
    lines.by_path[()] = root.start_mark.line + 1
    data = _Converter(loader, lines, problems).convert(root, ())
    return data, lines, problems


def _yaml_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        line = mark.line + 1
    elif isinstance(exc, yaml.reader.ReaderError):  # a control character: it knows only its position
        line = text.count("\n", 0, exc.position) + 1
    else:
        line = None
    reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        hint = f"delete the control character U+{code:04X} (tabs, newlines and printable text are fine)"
    else:
        hint = "check the indentation and that every 'key: value' has a space after the colon"
    return Problem(file, line, f"this is not valid YAML ({reason})", hint)


def _too_deep(text: str, file: str) -> Problem | None:
    """A problem if collections nest deeper than MAX_DEPTH (the event parser does not recurse)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                return Problem(
                    file, line, f"lists and mappings nest more than {MAX_DEPTH} levels deep here",
                    "a scenario needs a few levels: check for a run of '[' or '-' or an indentation slip",
                )  # fmt: skip
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


class _Converter:
    """Builds plain data from the node graph, counting items so that aliases cannot expand without
    bound, and refusing an alias inside its own anchor (a cycle)."""

    def __init__(self, loader: yaml.SafeLoader, lines: Lines, problems: list[Problem]) -> None:
        self.loader, self.lines, self.problems = loader, lines, problems
        self.items = 0
        self.active: set[int] = set()  # ids of the collections being built (the path from the root)

    def problem(self, node: yaml.Node, message: str, hint: str) -> None:
        self.problems.append(Problem(self.lines.file, node.start_mark.line + 1, message, hint))

    def convert(self, node: yaml.Node, path: Path) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS:
            if self.items == MAX_ITEMS + 1:
                self.problem(
                    node, f"the document expands to more than {MAX_ITEMS:,} items",
                    "aliases ('*name') copy what their anchor holds: use fewer or none",
                )  # fmt: skip
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            self.problem(node, "an alias refers to the list or mapping that contains it", "remove the alias")
            return None
        self.active.add(id(node))
        try:
            return self.mapping(node, path) if isinstance(node, yaml.MappingNode) else self.sequence(node, path)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0].split(";")[0]
            hint = "write a number or plain text"
            if node.tag.endswith(":timestamp"):  # YAML reads 1962-02-30 as a date, and no such day exists
                hint = "this is not a day of the calendar: check the month and the day"
            self.problem(node, f"cannot read the value {node.value[:40]!r} ({reason})", hint)
            return None

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self.problem(key_node, "merge keys ('<<') are not supported", "write the keys out in full")
                continue
            key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int | float) or isinstance(key, bool):
                key = (
                    str(key)
                    if isinstance(key_node, yaml.ScalarNode)
                    else f"<{key_node.id} at line {key_node.start_mark.line + 1}>"
                )
            child = (*path, key)
            if key in result:
                self.problem(
                    key_node, f"key {key!r} appears twice here", "keep one of them: YAML would silently drop the first"
                )
            self.lines.by_path[child] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, child)
        return result

    def sequence(self, node: yaml.SequenceNode, path: Path) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.lines.by_path[child] = item.start_mark.line + 1
            items.append(self.convert(item, child))
        return items
