"""One row per figure: what was measured, the figure, its goal and a mark (pass / short / "-" for reported)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    part: str
    subject: str
    figure: str
    goal: str = ""
    ok: bool | None = None  # None: reported, no goal

    @property
    def mark(self) -> str:
        return "-" if self.ok is None else ("pass" if self.ok else "SHORT")


def markdown(rows: list[Row]) -> str:
    lines = ["| part | subject | figure | goal | mark |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.part} | {r.subject} | {r.figure} | {r.goal} | {r.mark} |" for r in rows]
    return "\n".join(lines)


def text(rows: list[Row]) -> str:
    widths = [max(len(getattr(r, f)) for r in rows) for f in ("part", "subject", "figure", "goal")]
    widths = [min(w, cap) for w, cap in zip(widths, (12, 48, 70, 24), strict=True)]
    out, part = [], None
    for r in rows:
        if r.part != part and part is not None:
            out.append("")
        part = r.part
        cells = [r.part, r.subject, r.figure, r.goal]
        out.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + r.mark)
    return "\n".join(out)
