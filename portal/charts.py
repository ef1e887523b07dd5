"""Server-rendered charts: the geometry of small SVG bar charts, drawn by the templates
`portal/_chart_stacked.html` (stacked horizontal bars: committed / proposed / remaining of an
envelope) and `portal/_chart_bars.html` (one bar per category: dossiers per state, needs per
state, load per resource). No script, no external file: they work under the strict CSP, in
the PDFs (WeasyPrint draws SVG), and each comes with a table for screen readers (RGAA)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: the DSFR's colours (blue France, illustrative orange, grey) as SVG fills
COLOURS = {"committed": "#000091", "proposed": "#e4794a", "remaining": "#cacafb",
           "over": "#ce0500", "bar": "#6a6af4"}

WIDTH = 600          # the drawing's width in SVG units (it scales to its box)
LABEL_WIDTH = 220    # room for the labels on the left
ROW_HEIGHT = 34
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Segment:
    kind: str
    x: float
    width: float
    fill: str


@dataclass(frozen=True)
class StackedRow:
    label: str
    y: float
    text_y: float
    segments: tuple[Segment, ...]
    caption: str


def _num(value) -> Decimal:
    return Decimal(value or 0)


def stacked(rows, *, caption_of=None) -> dict:
    """``rows``: objects with ``label``, ``envelope`` (None: no limit), ``committed``,
    ``proposed``. Each bar spans the envelope (or what is committed and proposed, if more);
    the scale is common to all rows so that envelopes compare. Rows without an envelope and
    without amounts are left out."""
    rows = [r for r in rows if r.envelope is not None or _num(r.committed) or _num(r.proposed)]
    scale_max = max([max(_num(r.envelope), _num(r.committed) + _num(r.proposed)) for r in rows]
                    or [Decimal(1)]) or Decimal(1)
    span = WIDTH - LABEL_WIDTH - 10
    out = []
    for index, r in enumerate(rows):
        y = 8 + index * ROW_HEIGHT
        # what re-evaluations released goes back to the envelope's remainder
        committed = _num(r.committed) - _num(getattr(r, "released", 0))
        proposed = _num(r.proposed)
        envelope = _num(r.envelope) if r.envelope is not None else committed + proposed
        x = float(LABEL_WIDTH)
        segments = []
        over = r.envelope is not None and committed + proposed > envelope
        for kind, value in (("committed", committed), ("proposed", max(proposed, Decimal(0)))):
            if value > 0:
                width = float(value / scale_max) * span
                segments.append(Segment(kind, round(x, 1), round(width, 1),
                                        COLOURS["over"] if over and kind == "proposed"
                                        else COLOURS[kind]))
                x += width
        rest = envelope - committed - max(proposed, Decimal(0))
        if rest > 0:
            segments.append(Segment("remaining", round(x, 1),
                                    round(float(rest / scale_max) * span, 1),
                                    COLOURS["remaining"]))
        out.append(StackedRow(r.label, y, y + BAR_HEIGHT - 4, tuple(segments),
                              caption_of(r) if caption_of else r.label))
    return {"rows": out, "width": WIDTH, "height": 8 + len(out) * ROW_HEIGHT + 4,
            "label_width": LABEL_WIDTH - 8, "bar_height": BAR_HEIGHT, "colours": COLOURS}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    text_y: float


def bars(items: list[tuple[str, int]], *, height: int = 160) -> dict:
    """Vertical bars, one per ``(label, value)``, labels under them (turned when many)."""
    top = max([v for _l, v in items] or [1]) or 1
    count = max(len(items), 1)
    slot = WIDTH / count
    chart_h = height - 60
    out = []
    for index, (label, value) in enumerate(items):
        h = (value / top) * chart_h if value else 0
        out.append(Bar(label, value, round(index * slot + slot * 0.15, 1),
                       round(20 + chart_h - h, 1), round(slot * 0.7, 1), round(h, 1),
                       round(20 + chart_h - h - 4, 1)))
    return {"bars": out, "width": WIDTH, "height": height, "base_y": 20 + chart_h,
            "label_y": 20 + chart_h + 16, "slot": slot, "colour": COLOURS["bar"]}
