"""Markdown tables of docs/data-model.md, parsed so tests can hold each one against the code.

A table is a header row, a ``| --- |`` row and the rows after it; each keeps the heading it sits under. Cells
are split on unescaped ``|`` (``\\|`` inside a code span is a literal bar) and stripped.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import CodeType

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"

OPERATIONS = ("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")


@dataclass(frozen=True)
class Table:
    heading: str  # the nearest "## " or "### " heading above it, without the hashes
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    line: int  # 1-based line of the header row

    def column(self, name: str) -> int:
        return self.header.index(name)


def _cells(line: str) -> tuple[str, ...]:
    inner = line.strip()[1:-1]
    return tuple(cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner))


def tables(text: str | None = None) -> list[Table]:
    lines = (DOC.read_text() if text is None else text).splitlines()
    found: list[Table] = []
    heading = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        is_table = (line.startswith("|") and i + 1 < len(lines)
                    and re.fullmatch(r"\|( *-+ *\|)+", lines[i + 1].strip()))
        if not is_table:
            i += 1
            continue
        header = _cells(line)
        rows = []
        j = i + 2
        while j < len(lines) and lines[j].startswith("|"):
            row = _cells(lines[j])
            assert len(row) == len(header), f"docs/data-model.md:{j + 1}: {len(row)} cells, header has {len(header)}"
            rows.append(row)
            j += 1
        found.append(Table(heading, header, tuple(rows), i + 1))
        i = j
    return found


def table(heading: str, first_column: str, text: str | None = None) -> Table:
    """The one table under ``heading`` whose first column is ``first_column``."""
    (found,) = [t for t in tables(text) if t.heading == heading and t.header[0] == first_column]
    return found


def code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


# --- key patterns --------------------------------------------------------------------------------------------
def placeholders(pattern: str) -> list[str]:
    return re.findall(r"<([^<>]+)>", pattern)


def pattern_regex(pattern: str, placeholder: dict[str, str] | None = None) -> re.Pattern[str]:
    """A documented key pattern (``extension#<exam id>#<user id>``) as a regex over real keys. A placeholder
    named in ``placeholder`` stands for that regex; any other for one or more characters other than ``#``."""
    out = []
    for part in re.split(r"(<[^<>]+>)", pattern):
        if part.startswith("<") and part.endswith(">"):
            out.append((placeholder or {}).get(part[1:-1], "[^#]+"))
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


@functools.cache
def shape_regex(pattern: str) -> re.Pattern[str]:
    """A documented pattern as a regex over *recorded* key shapes (tests/dynamodb_requests.py: ``<exam>``,
    ``<time>``, ``<shard/192>``...): a ``#``-separated segment holding a placeholder is any segment."""
    segments = [("[^#]+" if "<" in segment else re.escape(segment)) for segment in pattern.split("#")]
    return re.compile("#".join(segments))


# --- call counts ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    count: str  # "3", "n", "⌈194 k / 100⌉ + 1", "2s"
    operation: str
    optional: bool  # written in parentheses: a case of the row, not always made


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "(⌈":
            depth += 1
        elif ch in ")⌉":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_TERM = re.compile(rf"^(?P<count>.+?) (?P<op>{'|'.join(OPERATIONS)})\b(?P<rest>.*)$")


def _comments(calls: str) -> tuple[str, list[str]]:
    """The cell without its parenthesised comments (outside ``⌈ ⌉``), and those of them that start with ``+``
    (optional terms)."""
    main: list[str] = []
    comments: list[str] = []
    current: list[str] = []
    depth = ceil = 0
    for ch in calls:
        if ch == "⌈":
            ceil += 1
        elif ch == "⌉":
            ceil -= 1
        if ceil == 0 and ch == "(":
            depth += 1
            if depth == 1:
                current = []
                continue
        if ceil == 0 and ch == ")" and depth:
            depth -= 1
            if depth == 0:
                comments.append("".join(current).strip())
                continue
        (current if depth else main).append(ch)
    return "".join(main), [c for c in comments if c.startswith("+")]


def terms(calls: str) -> list[Term]:
    """``3 GetItem + 1 Query (+ 1 BatchGetItem for a student)`` -> its terms. A count without an operation
    joins the next term's (``⌈193 k / 100⌉ + 1 BatchGetItem``). Text after a term's operation is a comment."""
    found: list[Term] = []
    main, optional = _comments(calls)

    def parse(text: str, is_optional: bool) -> None:
        pending = ""
        for part in _split_top(text, "+"):
            for piece in _split_top(part, ","):
                piece = piece.lstrip("+").strip()
                match = _TERM.match(piece)
                if match is None:
                    if re.fullmatch(r"[\d⌈⌉()/·\w ]+", piece) and not re.search(r"[a-z]{2,}", piece):
                        pending = f"{pending} + {piece}" if pending else piece
                        continue
                    if is_optional:
                        continue
                    raise ValueError(f"cannot read {piece!r} in {calls!r}")
                count = f"{pending} + {match['count']}" if pending else match["count"]
                pending = ""
                found.append(Term(count.strip(), match["op"], is_optional))

    parse(re.split(r"[,;:]", main, maxsplit=1)[0], False)  # what follows is prose
    for extra in optional:
        parse(extra, True)
    return found


@functools.cache
def _compiled(count: str) -> CodeType:
    expr = count.replace("⌈", "ceil(").replace("⌉", ")").replace("·", "*")
    expr = re.sub(r"(\d)\s*([a-z(])", r"\1*\2", expr)
    expr = re.sub(r"([a-z)])\s+([a-z(])", r"\1*\2", expr)
    return compile(expr, count, "eval")


def evaluate(count: str, values: dict[str, int]) -> int:
    """The doc's own arithmetic (``⌈194 k / 100⌉``, ``2n + n·q``) for these values of its letters."""
    return int(eval(_compiled(count), {"ceil": math.ceil, "__builtins__": {}}, values))


@functools.cache
def variables(count: str) -> tuple[str, ...]:
    return tuple(sorted(set(re.findall(r"(?<![A-Za-z])([a-z])(?![A-Za-z])", count))))


def matches(row_terms: list[Term], counts: dict[str, int], limit: int = 24) -> bool:
    """True when some values of the row's variables (0..limit) and some choice of its optional terms give
    exactly ``counts`` (operation -> calls)."""
    names = sorted({v for t in row_terms for v in variables(t.count)})
    optional = [t for t in row_terms if t.optional]
    for chosen in itertools.product((False, True), repeat=len(optional)):
        used = [t for t in row_terms if not t.optional] + [t for t, on in zip(optional, chosen, strict=True) if on]
        fixed: dict[str, int] = {}  # operations whose count has no letter: no search needed to refuse them
        for t in used:
            if not variables(t.count) and all(not variables(u.count) for u in used if u.operation == t.operation):
                fixed[t.operation] = fixed.get(t.operation, 0) + evaluate(t.count, {})
        if any(counts.get(op, 0) != n for op, n in fixed.items()):
            continue
        for combo in itertools.product(range(limit + 1), repeat=len(names)):
            values = dict(zip(names, combo, strict=True))
            wanted: dict[str, int] = {}
            for t in used:
                wanted[t.operation] = wanted.get(t.operation, 0) + evaluate(t.count, values)
            if {op: n for op, n in wanted.items() if n} == counts:
                return True
    return False


def recorded_counts(shape: dict) -> dict[str, int]:
    """Calls per operation of one recorded invocation (infra/dynamodb_requests.json)."""
    calls: dict[str, set[int]] = {}
    for request in shape["requests"]:
        calls.setdefault(request["call"], set()).add(request["n"])
    return {op: len(ns) for op, ns in calls.items()}


def route_rows(t: Table) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(route name, qualifier, row) of a table whose first cell starts with a code span naming a route."""
    for row in t.rows:
        match = re.match(r"^`(\w+)`\s*(.*)$", row[0])
        if match:
            yield match[1], match[2], row
