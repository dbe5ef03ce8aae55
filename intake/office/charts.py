"""Bar charts drawn on the server as SVG geometry (no script, no library, no CDN): the
template ``office/_charts.html`` turns a :class:`Chart` into ``<svg role="img">``.

A chart is never the only way to read a figure: every one stands beside a table with the
same numbers (the text alternative), so the geometry carries no text a reader needs
except the category labels and the value at the end of each bar.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

LABEL_WIDTH = 170  # the least room for a department's name at the chart's font size
PLOT_WIDTH = 360
# On a phone (office.css shows this variant under 40rem) each label stands on its own line
# above its bars, so the chart is narrow enough to be drawn at its own size: scaled down to
# a 390px screen, the wide one's 12px labels came out at 7px.
NARROW_PLOT_WIDTH = 270
LABEL_ROW = 18
VALUE_ROOM = 56  # the value written after the longest bar
BAR = 16
GAP = 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # the colour: ``series-<n>`` in office.css
    title: str  # "<category> <series>: <value>", a tooltip


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # SVG text-anchor
    kind: str = "label"  # label | value


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    texts: list[Text]
    lines: list[tuple[float, float, float, float]]  # axes
    series: list[str]  # the legend, in colour order


Values = Sequence[Sequence[float | None]]  # values[category][series]


def _scale(values: Values, stacked: bool) -> float:
    totals = [sum(v or 0 for v in row) if stacked else max((v or 0 for v in row), default=0)
              for row in values]
    return max([*totals, 0]) or 1


def _text_width(text: str) -> int:
    """About how wide ``text`` is at the chart's 12px font: a full-width character (漢字,
    かな) takes about 12px, any other about 7."""
    return int(sum(12 if unicodedata.east_asian_width(c) in "WF" else 7 for c in text))


def label_width(labels: Sequence[str]) -> int:
    """Room for the longest label beside the bars: an English department's name is longer
    in characters than its Japanese one and was cut off at the chart's left edge."""
    return max([LABEL_WIDTH, *(_text_width(label) + 12 for label in labels)])


def horizontal(categories: Sequence[str], series: Sequence[str], values: Values, *,
               stacked: bool = False, fmt: Callable[[float], str] = str,
               maximum: float | None = None, narrow: bool = False) -> Chart:
    """One row per category (a department): its series side by side, or end to end when
    ``stacked`` (the total written after the last).  ``None`` draws nothing (no value).

    ``narrow``: the phone's variant, each category's label on a line above its bars."""
    top = maximum or _scale(values, stacked)
    left = 0 if narrow else label_width(categories)
    plot_width = NARROW_PLOT_WIDTH if narrow else PLOT_WIDTH
    per_row = BAR if stacked else BAR * len(series)
    bars: list[Bar] = []
    texts: list[Text] = []
    lines: list[tuple[float, float, float, float]] = []
    y = GAP
    for category, row in zip(categories, values, strict=True):
        if narrow:
            texts.append(Text(0, y + 12, category))
            y += LABEL_ROW
            lines.append((0, y, 0, y + per_row))
        else:
            texts.append(Text(left - 8, y + per_row / 2 + 5, category, "end"))
        x = left
        for index, (name, value) in enumerate(zip(series, row, strict=True)):
            if value is None:
                if not stacked:
                    texts.append(Text(left + 4, y + BAR * index + BAR - 4, "—",
                                      kind="value"))
                continue
            width = plot_width * value / top
            top_y = y if stacked else y + BAR * index
            bars.append(Bar(x, top_y, width, BAR, index, f"{category} {name}: {fmt(value)}"))
            if stacked:
                x += width
            else:
                texts.append(Text(x + width + 4, top_y + BAR - 4, fmt(value), kind="value"))
        if stacked:
            texts.append(Text(x + 4, y + BAR - 4, fmt(sum(v or 0 for v in row)), kind="value"))
        y += per_row + GAP
    height = int(y)
    if narrow:
        width = max([plot_width + VALUE_ROOM, *(_text_width(c) + 4 for c in categories)])
        return Chart(width, height, bars, texts, lines, list(series))
    return Chart(left + plot_width + VALUE_ROOM, height, bars, texts,
                 [(left, 0, left, height)], list(series))


def vertical(categories: Sequence[str], series: Sequence[str], values: Values, *,
             fmt: Callable[[float], str] = str) -> Chart:
    """Groups of columns along the bottom (the months), the series side by side."""
    plot_height, bottom_room, column = 180, 28, 12
    group = column * len(series) + 14
    top = _scale(values, stacked=False)
    bars: list[Bar] = []
    texts: list[Text] = []
    left = 8
    for i, (category, row) in enumerate(zip(categories, values, strict=True)):
        x0 = left + i * group
        for index, (name, value) in enumerate(zip(series, row, strict=True)):
            height = plot_height * (value or 0) / top
            bars.append(Bar(x0 + column * index, 8 + plot_height - height, column, height,
                            index, f"{category} {name}: {fmt(value or 0)}"))
        texts.append(Text(x0 + column * len(series) / 2, 8 + plot_height + 18, category,
                          "middle"))
    width = left + group * len(categories) + 8
    baseline = 8 + plot_height
    return Chart(int(width), int(baseline + bottom_room), bars, texts,
                 [(0, baseline, width, baseline)], list(series))
