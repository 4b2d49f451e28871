"""The small formula language of worksheet columns: column and field keys, numbers,
+ - * / and brackets, and three functions: `above(key)` (the same column one row up;
on the first row, the field the column names as its `start`), `total(key)` (the column's
sum over the table) and `abs(...)`. A formula is parsed once, when the content is
loaded; the spreadsheet gets it as an Excel formula and the printed sheets as words, so
the two cannot disagree."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*)|(.))")
FUNCTIONS = {"above", "total", "abs"}


class FormulaError(ValueError):
    pass


@dataclass(frozen=True)
class Node:
    kind: str  # "num", "name", "above", "total", "abs", "neg", "group", or an operator
    value: str = ""
    left: Node | None = None
    right: Node | None = None


def _tokens(source: str) -> list[tuple[str, str]]:
    out = []
    for number, name, other in TOKEN.findall(source):
        if number:
            out.append(("num", number))
        elif name:
            out.append(("name", name))
        elif other.strip():
            if other not in "+-*/()":
                raise FormulaError(f"'{other}' is not allowed (use + - * / and brackets)")
            out.append(("op", other))
    return out


def parse(source: str) -> Node:
    tokens = _tokens(source.replace("×", "*").replace("÷", "/").replace("−", "-"))
    if not tokens:
        raise FormulaError("is empty")
    pos = 0

    def peek() -> tuple[str, str]:
        return tokens[pos] if pos < len(tokens) else ("end", "")

    def take(value: str) -> None:
        nonlocal pos
        if peek() != ("op", value):
            raise FormulaError(f"expected '{value}'")
        pos += 1

    def expr() -> Node:
        nonlocal pos
        node = term()
        while peek() in (("op", "+"), ("op", "-")):
            op = peek()[1]
            pos += 1
            node = Node(op, left=node, right=term())
        return node

    def term() -> Node:
        nonlocal pos
        node = factor()
        while peek() in (("op", "*"), ("op", "/")):
            op = peek()[1]
            pos += 1
            node = Node(op, left=node, right=factor())
        return node

    def factor() -> Node:
        nonlocal pos
        kind, value = peek()
        if kind == "num":
            pos += 1
            return Node("num", value)
        if (kind, value) == ("op", "-"):
            pos += 1
            return Node("neg", left=factor())
        if (kind, value) == ("op", "("):
            pos += 1
            inner = expr()
            take(")")
            return Node("group", left=inner)
        if kind == "name":
            pos += 1
            if peek() == ("op", "("):
                if value not in FUNCTIONS:
                    raise FormulaError(f"unknown function '{value}'")
                pos += 1
                if value == "abs":
                    inner = expr()
                else:
                    name_kind, name = peek()
                    if name_kind != "name":
                        raise FormulaError(f"{value}() takes a column key")
                    pos += 1
                    inner = Node("name", name)
                take(")")
                return Node(value, left=inner)
            return Node("name", value)
        raise FormulaError("is incomplete" if kind == "end" else f"unexpected '{value}'")

    node = expr()
    if pos != len(tokens):
        raise FormulaError(f"unexpected '{tokens[pos][1]}'")
    return node


def names(node: Node | None, *, kinds: tuple[str, ...] = ("name",)) -> list[tuple[str, str]]:
    """(how, key) for every key the formula uses: how is "name" (this row), "above" or
    "total"."""
    if node is None:
        return []
    if node.kind in ("above", "total"):
        return [(node.kind, node.left.value)]
    if node.kind == "name":
        return [("name", node.value)]
    return names(node.left) + names(node.right)


def render(node: Node, ref: Callable[[str, str], str], *, words: bool = False) -> str:
    """The formula with each key replaced by `ref(how, key)`: Excel syntax, or words
    (× and ÷, a real minus sign) for the printed sheets."""
    ops = {"+": " + ", "-": " − ", "*": " × ", "/": " ÷ "} if words else {}
    r = lambda n: render(n, ref, words=words)  # noqa: E731
    if node.kind == "num":
        return node.value
    if node.kind == "name":
        return ref("name", node.value)
    if node.kind in ("above", "total"):
        return ref(node.kind, node.left.value)
    if node.kind == "abs":
        return f"({r(node.left)}, ignoring any minus sign)" if words else f"ABS({r(node.left)})"
    if node.kind == "neg":
        return f"−{r(node.left)}" if words else f"-{r(node.left)}"
    if node.kind == "group":
        return f"({r(node.left)})"
    return f"{r(node.left)}{ops.get(node.kind, node.kind)}{r(node.right)}"
