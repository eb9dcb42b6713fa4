"""Safe arithmetic expressions over named quantities.

A scenario writes probabilities, payoffs and effects as short formulas such as
``p_reveal * (1 - secrecy)`` or ``max(0, prestige_loss - 2)``. The text is parsed with Python's
``ast`` module and every node is checked against a whitelist (numbers, names, arithmetic,
comparisons, ``and``/``or``/``not``, ``a if c else b`` and a few functions); nothing is ever
passed to ``eval``. A parsed expression is compiled to a tree of closures over numpy arrays, so
one call evaluates a whole batch of K parameter draws.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

MAX_LENGTH = 2_000  # characters; a formula in a scenario is a line or two
MAX_NODES = 400  # operators, names and numbers (compiling is recursive: this bounds its depth)

Value = np.ndarray | float
Env = Mapping[str, Value]
Evaluator = Callable[[Env], Value]


class ExpressionError(ValueError):
    """An expression that cannot be parsed or uses something not allowed."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _fold(op: Callable[[Value, Value], Value]) -> Callable[..., Value]:
    def apply(*args: Value) -> Value:
        result = args[0]
        for arg in args[1:]:
            result = op(result, arg)
        return result

    return apply


# name -> (function, minimum arity, maximum arity)
FUNCTIONS: dict[str, tuple[Callable[..., Value], int, int]] = {
    "min": (_fold(np.minimum), 2, 16),
    "max": (_fold(np.maximum), 2, 16),
    "clip": (np.clip, 3, 3),
    "abs": (np.abs, 1, 1),
    "exp": (np.exp, 1, 1),
    "log": (np.log, 1, 1),
    "sqrt": (np.sqrt, 1, 1),
}

_BINARY = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
_COMPARE = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_ALLOWED_TEXT = "numbers, names, + - * / **, comparisons, and/or/not, 'a if c else b', " + ", ".join(
    f"{name}()" for name in FUNCTIONS
)


@dataclass(frozen=True)
class Expression:
    """A parsed, whitelisted formula. ``names`` are the free variables it reads."""

    source: str
    names: frozenset[str]
    _evaluate: Evaluator = field(repr=False, compare=False)

    def __call__(self, env: Env) -> Value:
        """Evaluate over ``env`` (name -> scalar or array of shape (K,)); returns the same shape."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self._evaluate(env)

    def __reduce__(self) -> tuple:
        # Compiled closures do not pickle; the source text re-parses to the same expression,
        # so scenarios travel to worker processes and Dask workers as text.
        return (parse, (self.source,))


def parse(source: str | int | float) -> Expression:
    """Parse a formula (or a plain number) into an :class:`Expression`."""
    if isinstance(source, bool):
        raise ExpressionError(f"{source!r} is a yes/no value, not a number", "write a number such as 0 or 1")
    if isinstance(source, int | float):
        value = _finite(source, repr(source))
        return Expression(repr(source), frozenset(), lambda env: value)
    text = str(source).strip()
    if not text:
        raise ExpressionError("empty expression", "write a number or a formula such as 'a * 2'")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression {text[:40]!r}… is {len(text):,} characters long",
            f"keep a formula under {MAX_LENGTH:,} characters: name its parts as parameters or attributes",
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            f"cannot parse expression {text!r} ({exc.msg})",
            f"allowed are {_ALLOWED_TEXT}",
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # huge integer literals, deep nesting
        raise ExpressionError(
            f"cannot parse expression {text[:40]!r} ({str(exc).split(';')[0] or type(exc).__name__})",
            "write plain numbers and a shallow formula",
        ) from None
    size = sum(1 for _ in ast.walk(tree))
    if size > MAX_NODES:
        raise ExpressionError(
            f"expression {text[:40]!r}… has {size:,} terms",
            f"keep a formula under {MAX_NODES} terms: name its parts as parameters or attributes",
        )
    names: set[str] = set()
    evaluator = _compile(tree.body, text, names)
    return Expression(text, frozenset(names), evaluator)


def _finite(number: int | float, text: str) -> float:
    """A number as a float, refused if it is not finite (NaN, infinite, or too large for a float)."""
    try:
        value = float(number)
    except OverflowError:
        value = float("inf")
    if not np.isfinite(value):
        raise ExpressionError(
            f"{text!r} holds a number that is not finite ({value})", "write a finite number (below about 1e308)"
        )
    return value


def _compile(node: ast.AST, text: str, names: set[str]) -> Evaluator:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"{node.value!r} in {text!r} is not a number", f"allowed are {_ALLOWED_TEXT}")
        value = _finite(node.value, text)
        return lambda env: value
    if isinstance(node, ast.Name):
        name = node.id
        names.add(name)
        return lambda env: env[name]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op = _BINARY[type(node.op)]
        left, right = _compile(node.left, text, names), _compile(node.right, text, names)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
        operand = _compile(node.operand, text, names)
        if isinstance(node.op, ast.USub):
            return lambda env: np.negative(operand(env))
        if isinstance(node.op, ast.Not):
            return lambda env: np.equal(operand(env), 0.0).astype(float)
        return operand
    if isinstance(node, ast.Compare):
        return _compile_compare(node, text, names)
    if isinstance(node, ast.BoolOp):
        parts = [_compile(value, text, names) for value in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or

        def boolean(env: Env) -> Value:
            result = np.not_equal(parts[0](env), 0.0)
            for part in parts[1:]:
                result = combine(result, np.not_equal(part(env), 0.0))
            return result.astype(float)

        return boolean
    if isinstance(node, ast.IfExp):
        test = _compile(node.test, text, names)
        body, orelse = _compile(node.body, text, names), _compile(node.orelse, text, names)
        return lambda env: np.where(np.not_equal(test(env), 0.0), body(env), orelse(env))
    if isinstance(node, ast.Call):
        return _compile_call(node, text, names)
    raise ExpressionError(
        f"{ast.unparse(node)!r} is not allowed in an expression ({text!r})",
        f"allowed are {_ALLOWED_TEXT}",
    )


def _compile_compare(node: ast.Compare, text: str, names: set[str]) -> Evaluator:
    operands = [_compile(node.left, text, names)]
    operands += [_compile(right, text, names) for right in node.comparators]
    for op in node.ops:
        if type(op) not in _COMPARE:
            raise ExpressionError(
                f"comparison {type(op).__name__} is not allowed in {text!r}",
                "use <, <=, >, >=, == or !=",
            )
    ops = [_COMPARE[type(op)] for op in node.ops]

    def compare(env: Env) -> Value:
        values = [operand(env) for operand in operands]
        result = ops[0](values[0], values[1])
        for i in range(1, len(ops)):
            result = np.logical_and(result, ops[i](values[i], values[i + 1]))
        return np.asarray(result, dtype=float)

    return compare


def _compile_call(node: ast.Call, text: str, names: set[str]) -> Evaluator:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise ExpressionError(
            f"unknown function {ast.unparse(node.func)!r} in {text!r}",
            "the functions are " + ", ".join(FUNCTIONS),
        )
    if node.keywords:
        raise ExpressionError(f"keyword arguments are not allowed in {text!r}", "pass arguments by position")
    function, lowest, highest = FUNCTIONS[node.func.id]
    if not lowest <= len(node.args) <= highest:
        wanted = str(lowest) if lowest == highest else f"{lowest} to {highest}"
        raise ExpressionError(
            f"{node.func.id}() takes {wanted} arguments, {len(node.args)} given in {text!r}",
            "see the function list in docs/scenario-language.md",
        )
    args = [_compile(arg, text, names) for arg in node.args]
    return lambda env: function(*(arg(env) for arg in args))
