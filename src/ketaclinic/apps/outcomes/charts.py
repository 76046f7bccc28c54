"""Server-rendered SVG for the outcomes page and the PDF: no scripts, no styles, no CDN.

Every text is escaped here, so templates may output the result with ``|safe``. Colours are
presentation attributes (allowed by the CSP); each chart has a title and a description for
screen readers, and the numbers it draws are also in a table on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

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
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="outcome-chart" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{INK}" '
        f'text-anchor="{anchor}" font-family="sans-serif">{escape(text)}</text>'
    )


def _percent_axis(out: list[str], left: int, top: int, width: int, height: int, top_value: float):
    for tick in range(0, 101, 25):
        value = top_value * tick / 100
        y = top + height - height * tick / 100
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(_text(left - 6, y + 4, f"{value:g}%", "end", 10))


def bar_chart(title: str, groups: Sequence[tuple[str, Sequence[Bar]]]) -> str:
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
                    f'<rect x="{x + 4:.1f}" y="{y:.1f}" width="{bar_w - 8:.1f}" '
                    f'height="{top + plot_h - y:.1f}" fill="{bar.colour}">'
                    f"<title>{escape(_describe(bar))}</title></rect>"
                )
                out.append(_whisker(x + bar_w / 2, top, plot_h, p.lower, p.upper, "whisker"))
                label_y = top + plot_h * (1 - p.upper) - 5
                out.append(_text(x + bar_w / 2, label_y, f"{p.estimate * 100:.0f}%", "middle", 10))
            else:
                out.append(_text(x + bar_w / 2, top + plot_h - 4, "no data", "middle", 9))
            out.append(_text(x + bar_w / 2, top + plot_h + 14, bar.label, "middle", 10))
        out.append(_text(x0 + (group_w - 32) / 2, top + plot_h + 32, label, "middle", 12))
    out.append("</svg>")
    return "".join(out)


def _whisker(x: float, top: int, plot_h: int, lower: float, upper: float, css: str) -> str:
    y_low = top + plot_h * (1 - lower)
    y_high = top + plot_h * (1 - upper)
    return (
        f'<g class="{css}" stroke="{INK}" stroke-width="1.5">'
        f'<line x1="{x:.1f}" y1="{y_low:.1f}" x2="{x:.1f}" y2="{y_high:.1f}"/>'
        f'<line x1="{x - 5:.1f}" y1="{y_low:.1f}" x2="{x + 5:.1f}" y2="{y_low:.1f}"/>'
        f'<line x1="{x - 5:.1f}" y1="{y_high:.1f}" x2="{x + 5:.1f}" y2="{y_high:.1f}"/></g>'
    )


def _describe(bar: Bar) -> str:
    p = bar.proportion
    return (
        f"{bar.label}: {p.events} of {p.total} = {p.estimate * 100:.1f}% "  # type: ignore[operator]
        f"(95% CI {p.lower * 100:.1f}% to {p.upper * 100:.1f}%)"
    )


def adverse_event_chart(rows: Sequence[tuple[str, Proportion]]) -> str:
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
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 24}" stroke="{GRID}"/>'
        )
        out.append(_text(x, height - 10, f"{value:g}", "middle", 10))
    for index, (label, p) in enumerate(rows):
        y = top + index * row_h
        out.append(_text(left - 8, y + 14, label, "end", 11))
        estimate, lower, upper = p.per_100()
        if estimate is None:
            out.append(_text(left + 4, y + 14, "no sessions", "start", 10))
            continue
        out.append(
            f'<rect x="{left}" y="{y + 4}" width="{plot_w * estimate / scale_max:.1f}" '
            f'height="{row_h - 10}" fill="{ITT_COLOUR}"><title>{escape(label)}: {p.events} '
            f"of {p.total} sessions</title></rect>"
        )
        x_low, x_high = left + plot_w * lower / scale_max, left + plot_w * upper / scale_max
        mid = y + row_h / 2 - 1
        out.append(
            f'<g class="whisker" stroke="{INK}" stroke-width="1.5">'
            f'<line x1="{x_low:.1f}" y1="{mid:.1f}" x2="{x_high:.1f}" y2="{mid:.1f}"/>'
            f'<line x1="{x_low:.1f}" y1="{mid - 4:.1f}" x2="{x_low:.1f}" y2="{mid + 4:.1f}"/>'
            f'<line x1="{x_high:.1f}" y1="{mid - 4:.1f}" x2="{x_high:.1f}" y2="{mid + 4:.1f}"/>'
            "</g>"
        )
        out.append(_text(left + plot_w + 8, y + 14, f"{estimate:.1f}", "start", 10))
    out.append("</svg>")
    return "".join(out)


def survival_chart(curve: KaplanMeierCurve, horizon_days: float = 365.0) -> str:
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
        band = " ".join(f"{a:.1f},{b:.1f}" for a, b in upper + lower[::-1])
        out.append(
            f'<polygon class="km-band" points="{band}" fill="{COMPLETER_COLOUR}" '
            'fill-opacity="0.5"/>'
        )
        path = " ".join(f"{a:.1f},{b:.1f}" for a, b in line)
        out.append(
            f'<polyline class="km-curve" points="{path}" fill="none" '
            f'stroke="{ITT_COLOUR}" stroke-width="2"/>'
        )
    for tick in range(0, 5):
        t = horizon * tick / 4
        out.append(_text(x(t), top + plot_h + 16, f"{t:.0f}", "middle", 10))
    out.append(
        _text(left + plot_w / 2, top + plot_h + 34, "days after the induction ended", "middle", 11)
    )
    out.append("</svg>")
    return "".join(out)


def trajectory_chart(
    series: dict[str, list[tuple[int, float, int]]],
    labels: dict[str, str],
    max_total: int = 27,
    title: str = "Median PHQ-9 by week, by response group",
    counts: bool = True,
) -> str:
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
        out.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="{GRID}"/>'
        )
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
        path = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
        out.append(
            f'<polyline class="trajectory" points="{path}" fill="none" stroke="{colour}" '
            'stroke-width="2"/>'
        )
        out.extend(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}"/>' for a, b in coords)
        n = points[0][2] if points else 0
        legend_y = top + 14 + index * 18
        out.append(
            f'<rect x="{left + plot_w + 14}" y="{legend_y - 9}" width="10" height="10" '
            f'fill="{colour}"/>'
        )
        legend = labels.get(group, group) + (f" ({n})" if counts else "")
        out.append(_text(left + plot_w + 30, legend_y, legend))
    out.append("</svg>")
    return "".join(out)
