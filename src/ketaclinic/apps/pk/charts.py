"""Concentration-time charts as server-rendered SVG: no script, no CDN, no ``style=``.

One chart compares up to four regimens: each regimen's typical-patient curve (solid), its
metabolite when the model has one (dashed, same colour), and, when a virtual population was
simulated, its 5-95 % and 25-75 % bands shaded behind. Each curve's peak carries a numbered
marker that matches the legend and the table, so the chart reads without colour. The
y axis is linear or logarithmic (log shows the elimination phases as straight lines).

Every text is escaped by the shared kit (``apps/web/svg_chart.py``); the SVG has a
``<title>`` and ``<desc>``, and the page shows a table with the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.safestring import SafeString

from ketaclinic.apps.web import svg_chart as svg

__all__ = ["COLOURS", "ChartSeries", "comparison_svg", "legend_swatch"]

WIDTH, HEIGHT = 720, 380
LEFT, RIGHT, TOP, BOTTOM = 62, 18, 16, 50
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
INK, MUTED, GRID = "#1b2429", "#56636b", "#e3e8eb"
MARKER_R = 9
LOG_DECADES = 3
"""How far below the highest value a log axis reaches: three decades, i.e. to 1/1000 of the
peak, where the late elimination phase is still visible and the flat tail of zeros is not."""


@dataclass(frozen=True)
class ChartSeries:
    """One regimen to draw: its curve, optional metabolite and optional population bands.

    ``bands_ng_per_ml`` has one row per percentile (5, 25, 50, 75, 95) over ``times_h``.
    """

    number: int
    label: str
    colour: str
    times_h: np.ndarray
    concentration_ng_per_ml: np.ndarray
    cmax_ng_per_ml: float
    tmax_h: float
    metabolite_name: str | None = None
    metabolite_ng_per_ml: np.ndarray | None = None
    bands_ng_per_ml: np.ndarray | None = None

    @property
    def has_metabolite(self) -> bool:
        return self.metabolite_ng_per_ml is not None


def _number(value: float) -> str:
    """Tick labels: no trailing zeros, no scientific notation for the range we draw."""
    if value >= 1:
        return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:g}"
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _free_spot(x: float, y: float, placed: list[tuple[float, float]]) -> tuple[float, float]:
    """Where a peak's numbered marker goes: on the peak, or, when an earlier marker is
    there (two routes peaking close together), stepped up and right until it is clear."""
    spot = (x, y)
    for _ in range(8):
        if all(math.dist(spot, other) >= 2 * MARKER_R + 2 for other in placed):
            return spot
        spot = (spot[0] + 2 * MARKER_R, max(spot[1] - MARKER_R, TOP + MARKER_R))
    return spot


def _time_ticks(hours: float) -> list[float]:
    step = next((s for s in (0.25, 0.5, 1, 2, 3, 4, 6, 12, 24) if hours / s <= 12), 48)
    return [i * step for i in range(int(hours / step + 1e-9) + 1)]


def legend_swatch(series: ChartSeries) -> SafeString:
    """A small SVG line in the series' colour, for the HTML legend beside the chart."""
    stroke = svg.line(0, 6, 36, 6, stroke=series.colour, stroke_width="3")
    swatch = svg.tag(
        "svg",
        stroke,
        class_="pk-swatch",
        viewBox="0 0 36 12",
        width=36,
        height=12,
        aria_hidden="true",
        xmlns="http://www.w3.org/2000/svg",
    )
    return svg.finish([swatch.removesuffix("</svg>")])


def comparison_svg(
    series: Sequence[ChartSeries],
    *,
    hours: float,
    log_scale: bool,
    chart_id: str = "pk-chart",
    population: int = 0,
) -> SafeString:
    """The SVG comparing ``series`` (at least one) over ``0..hours``."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peaks = [float(np.max(s.concentration_ng_per_ml)) for s in series]
    peaks += [float(np.max(s.metabolite_ng_per_ml)) for s in series if s.has_metabolite]
    peaks += [float(np.max(s.bands_ng_per_ml[-1])) for s in series if s.bands_ng_per_ml is not None]
    top = max(max(peaks), 1e-6)

    if log_scale:
        high_exp = math.ceil(math.log10(top))
        low_exp = high_exp - LOG_DECADES
        y_ticks = [10.0**e for e in range(low_exp, high_exp + 1)]
        low_log, span_log = float(low_exp), float(high_exp - low_exp)

        def y_of(values: np.ndarray) -> np.ndarray:
            clipped = np.log10(np.maximum(values, 10.0**low_exp))
            return TOP + plot_h * (1 - (clipped - low_log) / span_log)

    else:
        y_ticks = svg.nice_ticks(top * 1.02)
        y_max = y_ticks[-1]

        def y_of(values: np.ndarray) -> np.ndarray:
            return TOP + plot_h * (1 - np.clip(values, 0, y_max) / y_max)

    def x_of(times: np.ndarray) -> np.ndarray:
        return LEFT + plot_w * np.asarray(times) / hours

    def points(xs: np.ndarray, ys: np.ndarray) -> str:
        return svg.points(zip(xs, ys, strict=True))

    scale = "logarithmic" if log_scale else "linear"
    banded = [s for s in series if s.bands_ng_per_ml is not None]
    desc = [
        f"Plasma concentration in ng/mL ({scale} scale) over {_number(hours)} hours after the "
        "first dose; solid lines are a typical patient."
    ]
    if banded:
        desc.append(
            f"Shading: the middle 50% (darker) and 90% (lighter) of {population:,} virtual "
            "patients."
        )
    if any(s.has_metabolite for s in series):
        desc.append("Dashed lines: the metabolite.")
    for s in series:
        desc.append(
            f"{s.number}. {s.label}: peak {s.cmax_ng_per_ml:.0f} ng/mL at {s.tmax_h:.2f} h."
        )
    parts = svg.svg_open(
        WIDTH,
        HEIGHT,
        title="Plasma concentration by route",
        description=" ".join(desc),
        css_class="pk-chart",
        chart_id=chart_id,
    )
    for tick in y_ticks:
        ty = float(y_of(np.array([tick]))[0])
        parts.append(svg.line(LEFT, ty, LEFT + plot_w, ty, stroke=GRID))
        parts.append(
            svg.text(
                LEFT - 6,
                ty,
                _number(tick),
                dy=4,
                font_size=12,
                text_anchor="end",
                fill=MUTED,
            )
        )
    for tick in _time_ticks(hours):
        tx = float(x_of(np.array([tick]))[0])
        parts.append(svg.line(tx, TOP + plot_h, tx, TOP + plot_h + 5, stroke=MUTED))
        parts.append(
            svg.text(
                tx, TOP + plot_h + 19, _number(tick), font_size=12, text_anchor="middle", fill=MUTED
            )
        )
    middle = round(TOP + plot_h / 2)
    parts.append(
        svg.text(
            round(LEFT + plot_w / 2),
            HEIGHT - 8,
            "Time after the first dose (h)",
            font_size=13,
            text_anchor="middle",
            fill=INK,
        )
    )
    parts.append(
        svg.text(
            16,
            middle,
            f"Plasma concentration (ng/mL{', log' if log_scale else ''})",
            font_size=13,
            text_anchor="middle",
            fill=INK,
            transform=f"rotate(-90 16 {middle})",
        )
    )
    for s in banded:
        bands = s.bands_ng_per_ml
        xs = x_of(s.times_h)
        for low, high, opacity, name in ((0, 4, "0.12", "5-95"), (1, 3, "0.22", "25-75")):
            upper, lower = y_of(bands[high]), y_of(bands[low])
            outline = points(np.concatenate([xs, xs[::-1]]), np.concatenate([upper, lower[::-1]]))
            parts.append(
                svg.tag(
                    "polygon",
                    f"<title>{svg.escape(s.label)}: {name}% of virtual patients</title>",
                    class_="band",
                    data_regimen=s.number,
                    points=outline,
                    fill=s.colour,
                    fill_opacity=opacity,
                    stroke="none",
                )
            )
    parts.append(svg.rect(LEFT, TOP, plot_w, plot_h, fill="none", stroke=MUTED))
    for s in series:
        xs = x_of(s.times_h)
        if s.has_metabolite:
            parts.append(
                svg.tag(
                    "path",
                    f"<title>{svg.escape(s.label)}: {svg.escape(s.metabolite_name or '')}</title>",
                    class_="metabolite",
                    data_regimen=s.number,
                    d=f"M{points(xs, y_of(s.metabolite_ng_per_ml))}",
                    fill="none",
                    stroke=s.colour,
                    stroke_width="1.8",
                    stroke_dasharray="7 4",
                )
            )
        parts.append(
            svg.tag(
                "path",
                f"<title>{svg.escape(s.label)}</title>",
                class_="curve",
                data_regimen=s.number,
                d=f"M{points(xs, y_of(s.concentration_ng_per_ml))}",
                fill="none",
                stroke=s.colour,
                stroke_width="2.6",
                stroke_linejoin="round",
            )
        )
    placed: list[tuple[float, float]] = []
    for s in series:
        px = float(x_of(np.array([s.tmax_h]))[0])
        py = float(y_of(np.array([s.cmax_ng_per_ml]))[0])
        bx, by = _free_spot(px, py, placed)
        placed.append((bx, by))
        leader = ""
        if (bx, by) != (px, py):
            leader = svg.line(px, py, bx, by, stroke=s.colour, stroke_width="1.2") + svg.tag(
                "circle", cx=px, cy=py, r="3", fill=s.colour
            )
        marker = svg.tag(
            "circle", cx=bx, cy=by, r=MARKER_R, fill=s.colour, stroke="#fff", stroke_width="1.5"
        ) + svg.text(
            bx,
            by,
            str(s.number),
            dy=4,
            font_size=11,
            font_weight=700,
            text_anchor="middle",
            fill="#fff",
        )
        peak = f"{s.label}: peak {s.cmax_ng_per_ml:.0f} ng/mL at {s.tmax_h:.2f} h"
        parts.append(
            svg.tag("g", f"{leader}{marker}<title>{svg.escape(peak)}</title>", class_="peak")
        )
    return svg.finish(parts)
