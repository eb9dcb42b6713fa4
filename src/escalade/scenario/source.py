"""Read YAML while remembering the line of every key, so later checks can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from escalade.scenario.errors import Problem

Path = tuple[str | int, ...]


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


def load_yaml(text: str, file: str) -> tuple[Any, Lines, list[Problem]]:
    """Parse ``text``; return the data, the line map and any problems (bad YAML, duplicate keys)."""
    lines = Lines(file)
    problems: list[Problem] = []
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(
            Problem(
                file,
                line,
                f"this is not valid YAML ({reason})",
                "check the indentation and that every 'key: value' has a space after the colon",
            )
        )
        return None, lines, problems
    finally:
        loader.dispose()
    if root is None:
        return None, lines, problems
    lines.by_path[()] = root.start_mark.line + 1
    data = _convert(root, (), loader, lines, problems)
    return data, lines, problems


def _convert(node: yaml.Node, path: Path, loader: yaml.SafeLoader, lines: Lines, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str | int | float) or isinstance(key, bool):
                key = str(key)
            child = (*path, key)
            if key in result:
                problems.append(
                    Problem(
                        lines.file,
                        key_node.start_mark.line + 1,
                        f"key {key!r} appears twice here",
                        "keep one of them: YAML would silently drop the first",
                    )
                )
            lines.by_path[child] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, child, loader, lines, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines.by_path[child] = item.start_mark.line + 1
            items.append(_convert(item, child, loader, lines, problems))
        return items
    return loader.construct_object(node, deep=True)
