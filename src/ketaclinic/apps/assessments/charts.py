"""Trajectory charts as server-rendered SVG: no script, no CDN, readable without colour.

One chart per instrument: the patient's totals over time, the instrument's severity bands
shaded behind them, the baseline (first score), the response threshold (the published
definition applied to that baseline) and the remission threshold drawn as labelled lines,
and discharged sessions marked along the time axis. Every text is escaped here; the SVG has
a ``<title>`` and ``<desc>`` and the page adds a table with the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString

from ketaclinic.apps.web import svg_chart as svg
from ketaclinic.clinical.scales import Instrument

__all__ = ["ChartPoint", "response_threshold", "trajectory_svg"]

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 118, 14, 34
# Light fills from calm to loud; bands beyond the palette reuse its last colour.
INK, MUTED = "#154449", "#56636b"
BAND_FILLS = ("#e7f5ec", "#f3f7dc", "#fff5df", "#fde8d4", "#fbeaea", "#f6d6d6")


@dataclass(frozen=True)
class ChartPoint:
    taken_at: dt.datetime
    total: int
    band_label: str = ""


def response_threshold(instrument: Instrument, baseline: int) -> Decimal | None:
    """The total at or below which the published response definition is met, from
    ``baseline``: ``baseline × (1 − percent/100)``, or ``baseline − points``."""
    definition = instrument.outcome
    if definition is None or baseline <= 0:
        return None
    if definition.response_percent is not None:
        return Decimal(baseline) * (1 - definition.response_percent / 100)
    return Decimal(max(baseline - (definition.response_points or 0), 0))


LABEL_GAP = 12.0  # px between the right-hand labels: a 10 px font with a little air


def _spread(levels: list[float], gap: float, top: float) -> list[float]:
    """Label heights as near their lines as possible, at least ``gap`` apart, none above ``top``.

    Lines close in value (a PCL-5 response threshold of 32 beside remission at 32) would
    otherwise print their labels on top of each other. Labels are pushed down in order of
    height, keeping each line's label in the same vertical order as its line.
    """
    order = sorted(range(len(levels)), key=lambda i: levels[i])
    placed = list(levels)
    floor = top - gap
    for index in order:
        placed[index] = max(levels[index], floor + gap)
        floor = placed[index]
    return placed


def trajectory_svg(
    instrument: Instrument,
    points: Sequence[ChartPoint],
    session_times: Sequence[dt.datetime] = (),
    *,
    chart_id: str,
) -> SafeString:
    """The SVG for ``points`` (oldest first, at least one)."""
    maximum = instrument.max_total or max(p.total for p in points) or 1
    times = [p.taken_at for p in points] + list(session_times)
    start, end = min(times), max(times)
    if end - start < dt.timedelta(days=6):
        start, end = start - dt.timedelta(days=3), end + dt.timedelta(days=3)
    span = (end - start).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment: dt.datetime) -> float:
        return LEFT + plot_w * (moment - start).total_seconds() / span

    y = svg.LinearScale(0, maximum, TOP + plot_h, TOP)
    first, last = points[0], points[-1]

    def described(point: ChartPoint) -> str:
        band = f", {point.band_label}" if point.band_label else ""
        return f"{point.taken_at:%Y-%m-%d} ({point.total}{band})"

    count, sessions = len(points), len(session_times)
    parts = svg.svg_open(
        WIDTH,
        HEIGHT,
        title=f"{instrument.title}: totals over time",
        description=(
            f"{count} score{'s' if count != 1 else ''} from {described(first)} to "
            f"{described(last)}; {sessions} session{'s' if sessions != 1 else ''} marked."
        ),
        css_class="trajectory",
        chart_id=chart_id,
    )
    for index, band in enumerate(instrument.bands):
        low = max(band.low - 0.5, 0)
        high = min(band.high + 0.5, maximum)
        fill = BAND_FILLS[min(index, len(BAND_FILLS) - 1)]
        parts.append(
            svg.rect(
                LEFT,
                y(high),
                plot_w,
                y(low) - y(high),
                title=f"{band.label} {band.low}–{band.high}",
                fill=fill,
            )
        )
        parts.append(svg.text(LEFT + 4, y(high) + 11, band.label, font_size=9, fill=MUTED))
    parts.append(svg.rect(LEFT, TOP, plot_w, plot_h, fill="none", stroke="#d7dee2"))
    for tick in sorted({0, maximum, *(b.low for b in instrument.bands if b.low > 0)}):
        parts.append(
            svg.text(LEFT - 6, y(tick) + 3, str(tick), font_size=10, text_anchor="end", fill=MUTED)
        )
    lines = [("Baseline", Decimal(first.total), "#1b2429", "6 3")]
    threshold = response_threshold(instrument, first.total)
    if threshold is not None:
        lines.append(("Response", threshold, "#1d5c63", "3 3"))
    if instrument.outcome is not None and instrument.outcome.remission_at_most is not None:
        lines.append(("Remission", Decimal(instrument.outcome.remission_at_most), "#1f6b3a", "1 3"))
    label_levels = _spread([y(float(value)) for _, value, _, _ in lines], LABEL_GAP, TOP + 4)
    for (label, value, colour, dash), label_level in zip(lines, label_levels, strict=True):
        caption = f"{label} {'≤ ' if label != 'Baseline' else ''}{svg.num(float(value))}"
        parts.append(
            svg.threshold(
                LEFT,
                LEFT + plot_w,
                y(float(value)),
                caption,
                colour=colour,
                dash=dash,
                stroke_width="1.2",
                label_x=LEFT + plot_w + 4,
                label_y=label_level + 3,
                anchor=None,
                font_size=10,
            )
        )
    # One element per session and per score: a long history draws hundreds, so their
    # constant attributes are written once and only the numbers change in the loop.
    marker_y, marker_tail = TOP + plot_h + 2, svg.attrs(fill="#1d5c63")
    parts.extend(
        f'<path d="M{svg.num(x(moment))} {marker_y} l-4 7 h8 z" {marker_tail}>'
        f"<title>Session {moment:%Y-%m-%d}</title></path>"
        for moment in session_times
    )
    if len(points) > 1:
        coordinates = svg.points((x(p.taken_at), y(p.total)) for p in points)
        parts.append(
            svg.tag("polyline", points=coordinates, fill="none", stroke=INK, stroke_width="2")
        )
    dot_tail = svg.attrs(r="3.5", fill=INK, stroke="#fff")
    for point in points:
        label = f"{point.taken_at:%Y-%m-%d}: {point.total}"
        if point.band_label:
            label += f" ({point.band_label})"
        parts.append(
            f'<circle cx="{svg.num(x(point.taken_at))}" cy="{svg.num(y(point.total))}" '
            f"{dot_tail}><title>{svg.escape(label)}</title></circle>"
        )
    baseline_y = TOP + plot_h + 26
    parts.append(svg.text(LEFT, baseline_y, f"{start:%Y-%m-%d}", font_size=10, fill=MUTED))
    parts.append(
        svg.text(
            LEFT + plot_w,
            baseline_y,
            f"{end:%Y-%m-%d}",
            font_size=10,
            text_anchor="end",
            fill=MUTED,
        )
    )
    return svg.finish(parts)
