"""Server-rendered SVG for the outcomes page and the PDF: no scripts, no styles, no CDN.

Every text is escaped by the shared kit (``apps/web/svg_chart.py``), so templates may output
the result with ``|safe``. Colours are presentation attributes (allowed by the CSP); each
chart has a title and a description for screen readers, and the numbers it draws are also in
a table on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from ketaclinic.apps.web import svg_chart as svg
from ketaclinic.clinical.outcomes import KaplanMeierCurve, Proportion

__all__ = ["Bar", "adverse_event_chart", "bar_chart", "survival_chart", "trajectory_chart"]

ITT_COLOUR = "#1f5f8b"
COMPLETER_COLOUR = "#8fb8d6"
INK = "#1d2733"
GRID = "#d6dde5"
GROUP_COLOURS = {"responder": "#2e7d32", "non_responder": "#c62828", "no_follow_up": "#6d6d6d"}


@dataclass(frozen=True)
class Bar:
    label: str
    proportion: Proportion
    colour: str


def _open(width: int, height: int, title: str, description: str) -> list[str]:
    return svg.svg_open(
        width, height, title=title, description=description, css_class="outcome-chart", sized=True
    )


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11) -> str:
    return svg.text(
        x, y, text, font_size=size, fill=INK, text_anchor=anchor, font_family="sans-serif"
    )


def _percent_axis(out: list[str], left: int, top: int, width: int, height: int, top_value: float):
    for tick in range(0, 101, 25):
        value = top_value * tick / 100
        y = top + height - height * tick / 100
        out.append(svg.line(left, y, left + width, y, stroke=GRID))
        out.append(_text(left - 6, y + 4, f"{value:g}%", "end", 10))


def bar_chart(title: str, groups: Sequence[tuple[str, Sequence[Bar]]]) -> SafeString:
    """Grouped bars (e.g. response: ITT beside completers) with 95% interval whiskers."""
    left, top, plot_h, group_w = 48, 28, 180, 150
    width = left + group_w * max(1, len(groups)) + 16
    height = top + plot_h + 48
    out = _open(width, height, title, "Bars are estimates; whiskers are 95% Wilson intervals.")
    _percent_axis(out, left, top, width - left - 16, plot_h, 100)
    for index, (label, bars) in enumerate(groups):
        x0 = left + index * group_w + 16
        bar_w = (group_w - 32) / max(1, len(bars))
        for position, bar in enumerate(bars):
            x = x0 + position * bar_w
            p = bar.proportion
            if p.estimate is not None:
                y = top + plot_h * (1 - p.estimate)
                out.append(
                    svg.rect(
                        x + 4, y, bar_w - 8, top + plot_h - y, title=_describe(bar), fill=bar.colour
                    )
                )
                out.append(_whisker(x + bar_w / 2, top, plot_h, p.lower, p.upper))
                label_y = top + plot_h * (1 - p.upper) - 5
                out.append(_text(x + bar_w / 2, label_y, f"{p.estimate * 100:.0f}%", "middle", 10))
            else:
                out.append(_text(x + bar_w / 2, top + plot_h - 4, "no data", "middle", 9))
            out.append(_text(x + bar_w / 2, top + plot_h + 14, bar.label, "middle", 10))
        out.append(_text(x0 + (group_w - 32) / 2, top + plot_h + 32, label, "middle", 12))
    return svg.finish(out)


def _whisker(x: float, top: int, plot_h: int, lower: float, upper: float) -> str:
    y_low = top + plot_h * (1 - lower)
    y_high = top + plot_h * (1 - upper)
    return _whisker_group(
        (x, y_low, x, y_high), (x - 5, y_low, x + 5, y_low), (x - 5, y_high, x + 5, y_high)
    )


def _whisker_group(*segments: tuple[float, float, float, float]) -> str:
    """An interval and its end caps, drawn as one group in the ink colour."""
    lines = "".join(svg.line(*segment) for segment in segments)
    return svg.tag("g", lines, class_="whisker", stroke=INK, stroke_width="1.5")


def _describe(bar: Bar) -> str:
    p = bar.proportion
    return (
        f"{bar.label}: {p.events} of {p.total} = {p.estimate * 100:.1f}% "  # type: ignore[operator]
        f"(95% CI {p.lower * 100:.1f}% to {p.upper * 100:.1f}%)"
    )


def adverse_event_chart(rows: Sequence[tuple[str, Proportion]]) -> SafeString:
    """Sessions with each kind of event per 100 sessions, horizontal bars with whiskers."""
    left, top, row_h, plot_w = 170, 24, 26, 300
    scale_max = max([p.upper for _, p in rows] + [0.05]) * 100
    scale_max = float(int(scale_max / 5 + 1) * 5)
    height = top + row_h * len(rows) + 30
    width = left + plot_w + 70
    out = _open(
        width, height, "Adverse events and holds per 100 sessions", "Whiskers: 95% intervals."
    )
    for tick in range(0, 5):
        value = scale_max * tick / 4
        x = left + plot_w * tick / 4
        out.append(svg.line(x, top - 6, x, height - 24, stroke=GRID))
        out.append(_text(x, height - 10, f"{value:g}", "middle", 10))
    for index, (label, p) in enumerate(rows):
        y = top + index * row_h
        out.append(_text(left - 8, y + 14, label, "end", 11))
        estimate, lower, upper = p.per_100()
        if estimate is None:
            out.append(_text(left + 4, y + 14, "no sessions", "start", 10))
            continue
        out.append(
            svg.rect(
                left,
                y + 4,
                plot_w * estimate / scale_max,
                row_h - 10,
                title=f"{label}: {p.events} of {p.total} sessions",
                fill=ITT_COLOUR,
            )
        )
        x_low, x_high = left + plot_w * lower / scale_max, left + plot_w * upper / scale_max
        mid = y + row_h / 2 - 1
        out.append(
            _whisker_group(
                (x_low, mid, x_high, mid),
                (x_low, mid - 4, x_low, mid + 4),
                (x_high, mid - 4, x_high, mid + 4),
            )
        )
        out.append(_text(left + plot_w + 8, y + 14, f"{estimate:.1f}", "start", 10))
    return svg.finish(out)


def survival_chart(curve: KaplanMeierCurve, horizon_days: float = 365.0) -> SafeString:
    """Kaplan–Meier step curve of staying relapse-free, with its 95% band."""
    left, top, plot_w, plot_h = 48, 20, 420, 180
    width, height = left + plot_w + 20, top + plot_h + 44
    last = curve.steps[-1].time if curve.steps else 0.0
    horizon = max(30.0, min(horizon_days, last if last > 0 else 30.0))
    out = _open(
        width,
        height,
        "Relapse-free after the induction (Kaplan–Meier)",
        "Step line: share still relapse-free; shaded band: 95% Greenwood log(-log) interval.",
    )
    _percent_axis(out, left, top, plot_w, plot_h, 100)

    def x(t: float) -> float:
        return left + plot_w * min(t, horizon) / horizon

    def y(s: float) -> float:
        return top + plot_h * (1 - s)

    upper, lower, line = [], [], []
    previous = None
    for step in curve.steps:
        if step.time > horizon:
            break
        if previous is not None:
            upper.append((x(step.time), y(previous.upper)))
            lower.append((x(step.time), y(previous.lower)))
            line.append((x(step.time), y(previous.survival)))
        upper.append((x(step.time), y(step.upper)))
        lower.append((x(step.time), y(step.lower)))
        line.append((x(step.time), y(step.survival)))
        previous = step
    if previous is not None:
        end = x(min(last, horizon))
        upper.append((end, y(previous.upper)))
        lower.append((end, y(previous.lower)))
        line.append((end, y(previous.survival)))
        band = svg.points(upper + lower[::-1])
        out.append(
            svg.tag(
                "polygon", class_="km-band", points=band, fill=COMPLETER_COLOUR, fill_opacity="0.5"
            )
        )
        out.append(
            svg.tag(
                "polyline",
                class_="km-curve",
                points=svg.points(line),
                fill="none",
                stroke=ITT_COLOUR,
                stroke_width="2",
            )
        )
    for tick in range(0, 5):
        t = horizon * tick / 4
        out.append(_text(x(t), top + plot_h + 16, f"{t:.0f}", "middle", 10))
    out.append(
        _text(left + plot_w / 2, top + plot_h + 34, "days after the induction ended", "middle", 11)
    )
    return svg.finish(out)


def trajectory_chart(
    series: dict[str, list[tuple[int, float, int]]],
    labels: dict[str, str],
    max_total: int = 27,
    title: str = "Median PHQ-9 by week, by response group",
    counts: bool = True,
) -> SafeString:
    """Median score by week since the first dose, one line per response group."""
    left, top, plot_w, plot_h = 40, 20, 420, 180
    weeks = max([w for points in series.values() for w, _, _ in points] + [4])
    width, height = left + plot_w + 150, top + plot_h + 44
    out = _open(
        width,
        height,
        title,
        "Week 0 is the baseline before the first dose; lower is better.",
    )
    for tick in range(0, max_total + 1, max(1, max_total // 3)):
        yy = top + plot_h * (1 - tick / max_total)
        out.append(svg.line(left, yy, left + plot_w, yy, stroke=GRID))
        out.append(_text(left - 6, yy + 4, str(tick), "end", 10))
    for week in range(0, weeks + 1, max(1, weeks // 6)):
        out.append(_text(left + plot_w * week / weeks, top + plot_h + 16, str(week), "middle", 10))
    out.append(
        _text(left + plot_w / 2, top + plot_h + 34, "weeks since the first dose", "middle", 11)
    )
    for index, (group, points) in enumerate(sorted(series.items())):
        colour = GROUP_COLOURS.get(group, INK)
        coords = [
            (left + plot_w * week / weeks, top + plot_h * (1 - median / max_total))
            for week, median, _n in points
        ]
        out.append(
            svg.tag(
                "polyline",
                class_="trajectory",
                points=svg.points(coords),
                fill="none",
                stroke=colour,
                stroke_width="2",
            )
        )
        out.extend(svg.tag("circle", cx=a, cy=b, r="3", fill=colour) for a, b in coords)
        n = points[0][2] if points else 0
        legend_y = top + 14 + index * 18
        out.append(svg.rect(left + plot_w + 14, legend_y - 9, 10, 10, fill=colour))
        legend = labels.get(group, group) + (f" ({n})" if counts else "")
        out.append(_text(left + plot_w + 30, legend_y, legend))
    return svg.finish(out)
