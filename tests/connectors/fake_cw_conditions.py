"""ConnectWise's ``conditions`` / ``childConditions`` query language, for the fake server.

Documented syntax (OpenAPI parameter descriptions, e.g. ``board/name='Integration'``,
``board/id in (3,2,4)``, ``lastUpdated > [2016-08-20T18:04:26Z]``; operators =, !=,
<, <=, >, >=, contains, like, in, not; logic and, or): strings in single or double
quotes, dates in square brackets, references with ``/``. Anything outside that
grammar is a 400 here, as a typo would be on the real server. String comparison is
case-insensitive (SQL Server's default collation: an assumption, see docs/connectors.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

_TOKEN = re.compile(r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<date>\[[^\]]*\])|(?P<op><=|>=|!=|=|<|>)
                        |(?P<paren>[(),])|(?P<word>[A-Za-z_][\w/.]*|-?\d+(?:\.\d+)?))""", re.VERBOSE)
WORD_OPS = {"like", "contains", "in", "not"}


class ConditionError(ValueError):
    pass


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ConditionError(f"cannot parse conditions near {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


Node = Callable[[Callable[[str], Any]], bool]


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.paths: set[str] = set()

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ConditionError("conditions end too early")
        self.i += 1
        return token

    def word_is(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].lower() in words

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise ConditionError(f"unexpected {self.peek()[1]!r} in conditions")  # type: ignore[index]
        return node

    def expr(self) -> Node:
        parts = [self.term()]
        while self.word_is("or"):
            self.take()
            parts.append(self.term())
        return lambda get: any(p(get) for p in parts)

    def term(self) -> Node:
        parts = [self.factor()]
        while self.word_is("and"):
            self.take()
            parts.append(self.factor())
        return lambda get: all(p(get) for p in parts)

    def factor(self) -> Node:
        if self.peek() == ("paren", "("):
            self.take()
            node = self.expr()
            if self.take() != ("paren", ")"):
                raise ConditionError("missing ) in conditions")
            return node
        if self.word_is("not"):
            self.take()
            inner = self.factor()
            return lambda get: not inner(get)
        return self.comparison()

    def comparison(self) -> Node:
        kind, path = self.take()
        if kind != "word" or path.lower() in WORD_OPS | {"and", "or"}:
            raise ConditionError(f"expected a field name, not {path!r}")
        self.paths.add(path)
        kind, op = self.take()
        op = op.lower()
        if kind == "word" and op == "not" and self.word_is("like", "contains", "in"):
            inner = self._compare(path, self.take()[1].lower())
            return lambda get: not inner(get)
        if not (kind == "op" or op in WORD_OPS):
            raise ConditionError(f"expected an operator after {path!r}, not {op!r}")
        return self._compare(path, op)

    def _compare(self, path: str, op: str) -> Node:
        if op == "in":
            if self.take() != ("paren", "("):
                raise ConditionError("in needs a (list)")
            values = [self.literal()]
            while self.peek() == ("paren", ","):
                self.take()
                values.append(self.literal())
            if self.take() != ("paren", ")"):
                raise ConditionError("missing ) after in-list")
            return lambda get: any(_equal(get(path), v) for v in values)
        value = self.literal()
        return lambda get: _apply(op, get(path), value)

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "date":
            try:
                return datetime.fromisoformat(text[1:-1].strip().replace("Z", "+00:00"))
            except ValueError:
                raise ConditionError(f"bad date {text}") from None
        if kind == "word":
            low = text.lower()
            if low in ("true", "false"):
                return low == "true"
            if low == "null":
                return None
            try:
                return float(text) if "." in text else int(text)
            except ValueError:
                raise ConditionError(f"strings must be quoted: {text!r}") from None
        raise ConditionError(f"expected a value, not {text!r}")


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        try:
            if re.match(r"^\d{4}-\d\d-\d\dT", value):
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        return value.casefold()
    return value


def _equal(left: Any, right: Any) -> bool:
    if right is None:
        return left is None or left == ""
    if isinstance(right, bool) or isinstance(left, bool):
        return bool(left) == right
    if isinstance(right, (int, float)) and isinstance(left, str) and left.lstrip("-").isdigit():
        return int(left) == right
    return _norm(left) == _norm(right)


def _apply(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if op in ("like", "contains"):
        if left is None:
            return False
        pattern = str(right).casefold()
        if op == "contains":
            return pattern in str(left).casefold()
        regex = "^" + re.escape(pattern).replace("%", ".*").replace(r"\*", ".*") + "$"
        return re.match(regex, str(left).casefold()) is not None
    if left is None:
        return False
    a, b = _norm(left), _norm(right)
    try:
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    except TypeError:
        raise ConditionError(f"cannot compare {left!r} {op} {right!r}") from None


def _resolve(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("/"):
        if isinstance(value, dict):
            if part not in value and part == "lastUpdated":
                value = (value.get("_info") or {}).get("lastUpdated")
                continue
            value = value.get(part)
        else:
            return None
    return value


def conditions_filter(conditions: str) -> Callable[[dict[str, Any]], bool]:
    """A predicate for ``conditions`` (parsed now, so a bad query fails even on an empty list)."""
    node = _Parser(conditions).parse()
    return lambda record: node(lambda path: _resolve(record, path))


def child_filter(conditions: str) -> Callable[[dict[str, Any]], bool]:
    """``childConditions``: one element of the named array must satisfy every clause."""
    parser = _Parser(conditions)
    node = parser.parse()
    arrays = {p.split("/", 1)[0] for p in parser.paths}
    if len(arrays) != 1 or any("/" not in p for p in parser.paths):
        raise ConditionError("childConditions must name fields of one array, e.g. communicationItems/value")
    (array,) = arrays

    def keep(record: dict[str, Any]) -> bool:
        items = record.get(array) or []
        return any(node(lambda path, item=item: _resolve(item, path.split("/", 1)[1])) for item in items)

    return keep
