"""The pieces every server-drawn chart is made of: one kit, so every chart escapes alike.

Charts are SVG built in Python, so pages need no charting library, no script and no CDN, and
obey the CSP (presentation attributes, never ``style=``). Every chart module — PK
comparison, questionnaire trajectory, session vitals, outcomes — draws with these helpers:

- ``svg_open`` / ``finish``: the ``<svg>`` element with its ``<title>`` and ``<desc>`` for
  screen readers, and the one place a finished chart is marked safe;
- ``text``, ``line``, ``rect``, ``tag``: elements whose attribute values and text are
  escaped here (callers never escape by hand);
- ``LinearScale`` and ``nice_ticks``: data to pixels, and round tick steps;
- ``threshold``: a dashed horizontal limit with its label (vitals, scale cut-offs);
- ``points``: the ``x,y x,y`` list of a polyline or polygon.

Numbers are written with at most ``places`` decimals and no trailing zeros (``num``).
Golden-file snapshots of every chart (``tests/web/golden_charts/``) pin the output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "LinearScale",
    "attrs",
    "escape",
    "finish",
    "line",
    "nice_ticks",
    "num",
    "points",
    "rect",
    "svg_open",
    "tag",
    "text",
    "threshold",
]

Value = float | int | str


def num(value: float, places: int = 1) -> str:
    """``value`` with at most ``places`` decimals and no trailing zeros: 12.50 -> "12.5"."""
    formatted = f"{value:.{places}f}"
    if "." in formatted:
        formatted = formatted.rstrip("0").rstrip(".")
    return "0" if formatted == "-0" else formatted


# Keyword -> attribute name (``class_`` -> ``class``), worked out once per keyword: a chart
# writes a few names thousands of times.
_NAMES: dict[str, str] = {}


def _attribute(name: str, value: Value) -> str:
    written = _NAMES.get(name)
    if written is None:
        written = _NAMES[name] = name.rstrip("_").replace("_", "-")
    if isinstance(value, float):
        return f'{written}="{num(value)}"'
    if type(value) is int:
        return f'{written}="{value}"'  # digits need no escaping
    return f'{written}="{escape(str(value))}"'


def attrs(**values: Value | None) -> str:
    """``name="value"`` pairs, escaped; ``class_`` -> ``class``, ``text_anchor`` ->
    ``text-anchor``; ``None`` leaves the attribute out."""
    return " ".join(_attribute(name, value) for name, value in values.items() if value is not None)


def tag(name: str, content: str | None = None, /, **values: Value | None) -> str:
    """One element; ``content`` is markup already built by this kit (or escaped)."""
    rendered = attrs(**values)
    opening = f"<{name} {rendered}" if rendered else f"<{name}"
    if content is None:
        return opening + "/>"
    return f"{opening}>{content}</{name}>"


def text(x: float, y: float, content: str, /, **values: Value | None) -> str:
    """A label at ``(x, y)``: its words are escaped."""
    return tag("text", escape(content), x=float(x), y=float(y), **values)


def line(x1: float, y1: float, x2: float, y2: float, /, **values: Value | None) -> str:
    return tag("line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), **values)


def rect(
    x: float, y: float, width: float, height: float, /, title: str = "", **values: Value | None
) -> str:
    """A rectangle, with a hover ``<title>`` when ``title`` is given."""
    content = f"<title>{escape(title)}</title>" if title else None
    return tag(
        "rect", content, x=float(x), y=float(y), width=float(width), height=float(height), **values
    )


def points(pairs: Iterable[tuple[float, float]]) -> str:
    """``x,y x,y ...`` for a polyline, polygon or path."""
    return " ".join(f"{num(x)},{num(y)}" for x, y in pairs)


def svg_open(
    width: int,
    height: int,
    *,
    title: str,
    description: str,
    css_class: str,
    chart_id: str | None = None,
    sized: bool = False,
) -> list[str]:
    """The opening of a chart, titled and described for screen readers.

    With ``chart_id`` the title and description get ids the ``<svg>`` points to
    (``aria-labelledby``); without, the title is its ``aria-label``. ``sized`` adds the
    intrinsic width and height a PDF renderer needs.
    """
    labelled = {"aria_labelledby": f"{chart_id}-title {chart_id}-desc"} if chart_id else {}
    label = {} if chart_id else {"aria_label": title}
    size = {"width": width, "height": height} if sized else {}
    opening = tag(
        "svg",
        "",
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {height}",
        **size,
        class_=css_class,
        role="img",
        **labelled,
        **label,
    ).removesuffix("</svg>")
    ids = (f"{chart_id}-title", f"{chart_id}-desc") if chart_id else (None, None)
    return [
        opening,
        tag("title", escape(title), id=ids[0]),
        tag("desc", escape(description), id=ids[1]),
    ]


def finish(parts: list[str]) -> SafeString:
    """Close the chart and mark it safe for templates: every text went through this kit."""
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - escaped by the kit  # nosec B308 B703


@dataclass(frozen=True)
class LinearScale:
    """Data ``low..high`` onto pixels ``start..end`` (``end`` < ``start`` for an upward
    y axis); values outside the domain are clamped to its edges when ``clamp``."""

    low: float
    high: float
    start: float
    end: float
    clamp: bool = True

    def __call__(self, value: float) -> float:
        if self.clamp:
            value = min(max(value, self.low), self.high)
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 x 10^k) up to at least ``high``, about ``count``."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    steps = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def threshold(
    left: float,
    right: float,
    y: float,
    label: str,
    *,
    colour: str,
    dash: str = "6 4",
    label_y: float | None = None,
    label_x: float | None = None,
    anchor: str | None = "end",
    font_size: int | None = None,
    stroke_width: str | None = None,
) -> str:
    """A dashed horizontal limit across the plot, labelled in its own colour.

    The label sits just above the line at the right-hand end unless ``label_x``/``label_y``
    place it (e.g. beside the plot, or under the line when the one above is too close).
    """
    return line(
        left,
        y,
        right,
        y,
        stroke=colour,
        stroke_width=stroke_width,
        stroke_dasharray=dash,
        class_="threshold",
    ) + text(
        right - 4 if label_x is None else label_x,
        y - 3 if label_y is None else label_y,
        label,
        class_="threshold-label",
        font_size=font_size,
        fill=colour,
        text_anchor=anchor,
    )
