"""A quick chart of a table, drawn on the server as inline SVG: which chart suits the columns, and where
its bars, lines and labels go. The template draws the SVG and, as its text alternative, a table of the same
numbers; no script is needed.

- bar: a text or yes/no column with few distinct values, and how many rows have each value;
- line: a date column against a numeric column, the mean of the numbers per date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from datatorget.web.formatting import format_number
from datatorget.web.i18n import Lang

MAX_BARS = 12
MAX_POINTS = 1000
DOTS_UP_TO = 40
WIDTH = 640
BAR_ROW = 30
BAR_HEIGHT = 20
LABEL_WIDTH = 190
VALUE_WIDTH = 80
LABEL_CHARS = 24
LINE_HEIGHT = 300
MARGIN = {"left": 72, "right": 20, "top": 16, "bottom": 44}
X_TICKS = 5
Y_TICKS = 5
CATEGORY_TYPES = ("string", "boolean")
DATE_TYPES = ("date", "datetime")
NUMBER_TYPES = ("number", "integer")
COORDINATE_NAMES = frozenset({"lat", "latitud", "latitude", "lon", "lng", "long", "longitud", "longitude",
                              "x", "y", "e", "n", "nord", "ost", "öst"})  # fmt: skip


@dataclass(frozen=True)
class ChartPlan:
    """Which chart to draw: `column` is the category (bar) or the date (line); `value` the numeric column of
    a line chart. `complete_top` says the column statistics' top values already hold every value."""

    kind: Literal["bar", "line"]
    column: str
    value: str | None = None
    complete_top: bool = False


def plan_chart(
    fields: list[dict[str, Any]], stats: list[dict[str, Any]] | None, row_count: int, *, can_group: bool
) -> ChartPlan | None:
    """The chart that suits the table, or None. `can_group` says a group-by query can be run; without it
    only a bar chart from the column statistics is possible."""
    if stats is None or row_count < 2:
        return None
    by_name = {column["name"]: column for column in stats}
    if can_group:
        dates = [f["name"] for f in fields if f["type"] in DATE_TYPES and _distinct(by_name, f["name"]) >= 2]
        numbers = [
            f["name"]
            for f in fields
            if f["type"] in NUMBER_TYPES and f["name"].lower() not in COORDINATE_NAMES
        ]
        if dates and numbers:
            return ChartPlan("line", dates[0], numbers[0])
    candidates = []
    for position, field in enumerate(fields):
        column = by_name.get(field["name"])
        if field["type"] not in CATEGORY_TYPES or column is None:
            continue
        top = column.get("top") or []
        complete = sum(int(v["count"]) for v in top) + int(column.get("nulls") or 0) == row_count
        distinct = len(top) if complete else _distinct(by_name, field["name"])
        # some value must come more than once: a column of names or ids makes no chart (and the distinct
        # count of a large table is an estimate, so the most common value's count decides)
        repeats = bool(top) and int(top[0]["count"]) > 1
        if 2 <= distinct <= MAX_BARS and repeats and (complete or can_group):
            # text before yes/no, then the column's place in the table
            candidates.append(
                (field["type"] != "string", position, ChartPlan("bar", field["name"], None, complete))
            )
    return min(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def _distinct(by_name: dict[str, dict[str, Any]], name: str) -> int:
    return int((by_name.get(name) or {}).get("distinct") or 0)


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: float
    value_text: str
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    kind: Literal["bar"] = "bar"


def bar_chart(values: list[tuple[str, float]], lang: Lang) -> BarChart | None:
    """Horizontal bars, longest first as given, scaled to the largest value."""
    values = values[:MAX_BARS]
    if not values:
        return None
    largest = max(value for _label, value in values) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label,
            short_label=label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…",
            value=value,
            value_text=_number(value, lang),
            y=8 + index * BAR_ROW,
            width=round(max(value, 0) / largest * room, 1),
        )
        for index, (label, value) in enumerate(values)
    ]
    return BarChart(bars, WIDTH, 16 + len(bars) * BAR_ROW, LABEL_WIDTH, BAR_HEIGHT)


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value_text: str


@dataclass(frozen=True)
class LineChart:
    points: list[Point]
    path: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    show_dots: bool
    kind: Literal["line"] = "line"


def line_chart(values: list[tuple[str, float]], lang: Lang) -> LineChart | None:
    """A line through the values in date order (`values` are (ISO date, number), sorted), on a y axis with
    round ticks; the x axis spaces the dates by the days between them."""
    values = [(label, value) for label, value in values[:MAX_POINTS] if math.isfinite(value)]
    if len(values) < 2:
        return None
    left, top = MARGIN["left"], MARGIN["top"]
    right, bottom = WIDTH - MARGIN["right"], LINE_HEIGHT - MARGIN["bottom"]
    positions = _date_positions([label for label, _value in values])
    lowest, highest = min(v for _l, v in values), max(v for _l, v in values)
    ticks, step = nice_ticks(lowest, highest, Y_TICKS)
    y_low, y_high = ticks[0], ticks[-1]
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0

    def y_of(value: float) -> float:
        return round(bottom - (value - y_low) / (y_high - y_low) * (bottom - top), 1)

    def x_of(position: float) -> float:
        return round(left + position * (right - left), 1)

    points = [
        Point(x_of(position), y_of(value), label, _number(value, lang))
        for position, (label, value) in zip(positions, values, strict=True)
    ]
    path = "M" + " L".join(f"{p.x},{p.y}" for p in points)
    shown = sorted({round(i * (len(points) - 1) / (X_TICKS - 1)) for i in range(X_TICKS)})
    return LineChart(
        points=points,
        path=path,
        x_ticks=[Tick(points[i].x, points[i].label) for i in shown],
        y_ticks=[Tick(y_of(tick), format_number(tick, lang, decimals)) for tick in ticks],
        width=WIDTH,
        height=LINE_HEIGHT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        show_dots=len(points) <= DOTS_UP_TO,
    )


def _date_positions(labels: list[str]) -> list[float]:
    """Each date's place between the first (0) and the last (1), by time; evenly spaced if not dates."""
    try:
        days = [datetime.fromisoformat(label).timestamp() / 86400 for label in labels]
    except ValueError:
        try:
            days = [float(date.fromisoformat(label[:10]).toordinal()) for label in labels]
        except ValueError:
            days = [float(index) for index in range(len(labels))]
    first, last = days[0], days[-1]
    if last == first:
        return [index / (len(labels) - 1) for index in range(len(labels))]
    return [(day - first) / (last - first) for day in days]


def nice_ticks(lowest: float, highest: float, count: int) -> tuple[list[float], float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) that cover lowest..highest; and the step."""
    if highest == lowest:
        spread = abs(highest) or 1.0
        lowest, highest = lowest - spread / 2, highest + spread / 2
    raw = (highest - lowest) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(lowest / step) * step
    ticks = []
    value = start
    while value < highest + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks, step


def _number(value: float, lang: Lang) -> str:
    if value == int(value):
        return format_number(value, lang)
    return format_number(value, lang, 2 if abs(value) < 100 else 1)
