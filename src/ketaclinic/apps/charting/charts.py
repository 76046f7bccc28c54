"""The vitals chart as server-rendered SVG, thresholds drawn as lines (no script, no styles).

Built in Python so the page needs no charting library and obeys the CSP; every piece of text
is escaped here, so the template may mark the result safe. The x axis is minutes since the
dose started (before dosing: since the first reading); BP and heart rate share the upper
panel's axis (mmHg and beats/min), SpO2 has the lower panel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString

from ketaclinic.apps.web.svg_chart import (
    LinearScale,
    finish,
    line,
    rect,
    svg_open,
    tag,
    text,
    threshold,
)
from ketaclinic.apps.web.svg_chart import (
    points as coordinates,
)
from ketaclinic.clinical.monitoring import MonitoringParameters

WIDTH, LEFT, RIGHT = 720, 48, 12
TOP_Y0, TOP_H = 16, 210
LOW_Y0, LOW_H = 262, 70
HEIGHT = LOW_Y0 + LOW_H + 30
BP_RANGE = (40, 220)
SPO2_RANGE = (80, 100)

SYSTOLIC, DIASTOLIC, HEART, SPO2 = "#a32020", "#1d5c63", "#6b4fa0", "#1f6b3a"
URGENT, EMERGENCY = "#c77700", "#a32020"


@dataclass(frozen=True)
class ChartPoint:
    taken_at: dt.datetime
    bp_systolic: int
    bp_diastolic: int
    heart_rate: int
    spo2: int


def _minutes(origin: dt.datetime, moment: dt.datetime) -> float:
    return (moment - origin).total_seconds() / 60


def vitals_svg(
    points: Sequence[ChartPoint],
    parameters: MonitoringParameters,
    *,
    dose_started_at: dt.datetime | None = None,
    dose_stopped_at: dt.datetime | None = None,
    title: str = "Vital signs",
) -> SafeString:
    """The chart as one ``<svg>`` element (escaped by the kit; safe to emit as HTML)."""
    origin = dose_started_at or (points[0].taken_at if points else None)
    xs = [_minutes(origin, p.taken_at) for p in points] if origin else []
    lo = min([0.0, *xs]) if xs else 0.0
    hi = max([60.0, *xs, _minutes(origin, dose_stopped_at) if dose_stopped_at else 0.0])
    hi = hi + 5
    plot_w = WIDTH - LEFT - RIGHT

    def x_of(minute: float) -> float:
        return LEFT + (minute - lo) / (hi - lo) * plot_w

    y_top = LinearScale(*BP_RANGE, TOP_Y0 + TOP_H, TOP_Y0)
    y_low = LinearScale(*SPO2_RANGE, LOW_Y0 + LOW_H, LOW_Y0)

    parts = svg_open(
        WIDTH,
        HEIGHT,
        title=title,
        description=(
            f"Blood pressure and heart rate (upper panel) and SpO2 (lower panel) against minutes "
            f"since the dose started; dashed lines mark the limits: BP "
            f"{parameters.bp_urgent_systolic}/{parameters.bp_urgent_diastolic} (pause if "
            f"confirmed), {parameters.bp_emergency_systolic}/{parameters.bp_emergency_diastolic} "
            f"(stop), heart rate {parameters.heart_rate_max}, SpO2 {parameters.spo2_min}%."
        ),
        css_class="vitals-chart",
        chart_id="vitals-chart",
    )
    parts.append(rect(LEFT, TOP_Y0, plot_w, TOP_H, fill="#fff", stroke="#d7dee2"))
    parts.append(rect(LEFT, LOW_Y0, plot_w, LOW_H, fill="#fff", stroke="#d7dee2"))
    for value in range(BP_RANGE[0], BP_RANGE[1] + 1, 20):
        parts.append(line(LEFT, y_top(value), WIDTH - RIGHT, y_top(value), stroke="#eef2f3"))
        parts.append(text(LEFT - 6, y_top(value) + 4, str(value), class_="axis", text_anchor="end"))
    for value in (80, 90, 100):
        parts.append(text(LEFT - 6, y_low(value) + 4, str(value), class_="axis", text_anchor="end"))
    step = 10 if hi - lo <= 150 else 30
    tick = int(lo // step * step)
    while tick <= hi:
        if tick >= lo:
            x = x_of(tick)
            parts.append(line(x, LOW_Y0 + LOW_H, x, LOW_Y0 + LOW_H + 4, stroke="#56636b"))
            parts.append(
                text(x, LOW_Y0 + LOW_H + 16, str(tick), class_="axis", text_anchor="middle")
            )
        tick += step
    parts.append(
        text(
            WIDTH - RIGHT, HEIGHT - 2, "minutes since dose start", class_="axis", text_anchor="end"
        )
    )
    labels: dict[int, list[tuple[str, str]]] = {}
    for value, colour, label in (
        (parameters.bp_emergency_systolic, EMERGENCY, f"stop {parameters.bp_emergency_systolic}"),
        (parameters.bp_urgent_systolic, URGENT, f"pause {parameters.bp_urgent_systolic}"),
        (parameters.bp_emergency_diastolic, EMERGENCY, "stop dia"),
        (parameters.heart_rate_max, HEART, "HR"),
        (parameters.bp_urgent_diastolic, URGENT, "pause dia"),
    ):
        labels.setdefault(value, []).append((colour, label))
    previous_y = None
    for value in sorted(labels, reverse=True):
        y = y_top(value)
        colour = labels[value][0][0]
        caption = " · ".join(label for _c, label in labels[value])
        if not caption.endswith(str(value)):
            caption = f"{caption} {value}"
        # A label under its line when the one above would touch it.
        below = previous_y is not None and y - previous_y < 14
        parts.append(
            threshold(
                LEFT, WIDTH - RIGHT, y, caption, colour=colour, label_y=y + 11 if below else None
            )
        )
        previous_y = y
    spo2_limit = f"SpO2 {parameters.spo2_min}%"
    parts.append(
        threshold(LEFT, WIDTH - RIGHT, y_low(parameters.spo2_min), spo2_limit, colour=SPO2)
    )
    if dose_started_at is not None:
        x = x_of(0)
        parts.append(line(x, TOP_Y0, x, LOW_Y0 + LOW_H, stroke="#1b2429", stroke_width="1.5"))
        parts.append(text(x + 4, TOP_Y0 + 12, "dose start", class_="marker"))
        if dose_stopped_at is not None:
            x = x_of(_minutes(dose_started_at, dose_stopped_at))
            parts.append(
                line(x, TOP_Y0, x, LOW_Y0 + LOW_H, stroke="#1b2429", stroke_dasharray="2 3")
            )
            parts.append(text(x + 4, TOP_Y0 + 24, "dose end", class_="marker"))
    series = (
        ("systolic", SYSTOLIC, y_top, lambda p: p.bp_systolic),
        ("diastolic", DIASTOLIC, y_top, lambda p: p.bp_diastolic),
        ("heart rate", HEART, y_top, lambda p: p.heart_rate),
        ("SpO2", SPO2, y_low, lambda p: p.spo2),
    )
    for name, colour, y_of, value_of in series:
        if not points:
            break
        pairs = [(x_of(x), y_of(value_of(p))) for x, p in zip(xs, points, strict=True)]
        parts.append(
            tag(
                "polyline",
                points=coordinates(pairs),
                fill="none",
                stroke=colour,
                stroke_width="2",
                class_="series",
            )
        )
        for (cx, cy), x, p in zip(pairs, xs, points, strict=True):
            label = f"{name} {value_of(p)} at minute {x:.0f}"
            parts.append(
                tag("circle", f"<title>{escape(label)}</title>", cx=cx, cy=cy, r="3.5", fill=colour)
            )
    legend_x = LEFT + 6
    for name, colour, _y, _v in series:
        parts.append(rect(legend_x, TOP_Y0 + TOP_H + 10, 12, 4, fill=colour))
        parts.append(text(legend_x + 16, TOP_Y0 + TOP_H + 16, name, class_="legend"))
        legend_x += 110
    if not points:
        parts.append(
            text(
                LEFT + plot_w / 2,
                TOP_Y0 + TOP_H / 2,
                "No vital signs yet",
                class_="empty-chart",
                text_anchor="middle",
            )
        )
    return finish(parts)
