"""Charts drawn on the server as inline SVG: no script, no CDN, readable on a phone
(they scale to the page's width) and printable. Each chart is a picture of a table the
page shows right under it, which is what a screen reader reads (the SVG is
`role="img"` with a title saying so).

Three shapes cover the dashboards: grouped bars (waits and counters per hour), lines
(per day) and a weekday × hour heat map. Colours come from CSS classes (static/css/
giliran.css, `.chart-*`), so print and dark styles apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 36


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    css: str  # chart-a, chart-b, chart-c


def _top(series: Sequence[Series]) -> float:
    highest = max((v for s in series for v in s.values if v is not None), default=0.0)
    if highest <= 0:
        return 1.0
    # A round top: 1, 2 or 5 times a power of ten.
    step = 10 ** len(str(int(highest))) / 10 if highest >= 1 else 0.1
    for factor in (1, 2, 5, 10):
        if highest <= step * factor:
            return step * factor
    return highest


def _frame(title: str, top: float, unit: str) -> list[SafeString]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [format_html("<title>{}</title>", title)]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}{}</text>',
                LEFT,
                WIDTH - RIGHT,
                f"{y:.1f}",
                f"{y:.1f}",
                LEFT - 4,
                f"{y + 4:.1f}",
                f"{top * fraction:g}",
                unit,
            )
        )
    return parts


def _legend(series: Sequence[Series]) -> SafeString:
    return format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="10" height="10"/>'
        '<text class="chart-axis" x="{}" y="{}">{}</text>',
        (
            (s.css, LEFT + i * 150, HEIGHT - 12, LEFT + i * 150 + 14, HEIGHT - 3, s.label)
            for i, s in enumerate(series)
        ),
    )


def _svg(parts: list[SafeString], title: str) -> SafeString:
    body = mark_safe("".join(parts))  # noqa: S308 - every part was built by format_html
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet">{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        body,
    )


def bars(title: str, labels: Sequence[str], series: Sequence[Series], unit: str = "") -> SafeString:
    """Grouped bars: one group per label, one bar per series (None: no bar)."""
    top = _top(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / max(1, len(labels))
    bar = group * 0.8 / max(1, len(series))
    parts = _frame(title, top, unit)
    for i, label in enumerate(labels):
        x0 = LEFT + i * group + group * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            h = plot_h * min(value, top) / top
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {}</title></rect>",
                    s.css,
                    f"{x0 + j * bar:.1f}",
                    f"{TOP + plot_h - h:.1f}",
                    f"{bar:.1f}",
                    f"{h:.1f}",
                    label,
                    f"{value:g}",
                )
            )
        parts.append(
            format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                f"{LEFT + i * group + group / 2:.1f}",
                TOP + plot_h + 14,
                label,
            )
        )
    parts.append(_legend(series))
    return _svg(parts, title)


def lines(
    title: str, labels: Sequence[str], series: Sequence[Series], unit: str = ""
) -> SafeString:
    """One line per series over the labels (a gap where a value is None); at most a
    dozen labels are written under the axis."""
    top = _top(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels) - 1)
    parts = _frame(title, top, unit)
    for s in series:
        points: list[str] = []
        runs: list[list[str]] = [points]
        for i, value in enumerate(s.values):
            if value is None:
                points = []
                runs.append(points)
                continue
            y = TOP + plot_h * (1 - min(value, top) / top)
            points.append(f"{LEFT + i * step:.1f},{y:.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                parts.append(
                    format_html('<circle class="{}" cx="{}" cy="{}" r="2"/>', s.css, cx, cy)
                )
            elif run:
                parts.append(
                    format_html(
                        '<polyline class="{} chart-line" points="{}"/>', s.css, " ".join(run)
                    )
                )
    every = max(1, -(-len(labels) // 12))
    for i in range(0, len(labels), every):
        parts.append(
            format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                f"{LEFT + i * step:.1f}",
                TOP + plot_h + 14,
                labels[i],
            )
        )
    parts.append(_legend(series))
    return _svg(parts, title)


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
) -> SafeString:
    """A grid: darker is more; each cell also says its value (rounded)."""
    highest = max((v for row in values for v in row if v is not None), default=0.0) or 1.0
    cell_w = (WIDTH - LEFT - RIGHT) / max(1, len(columns))
    cell_h = (HEIGHT - TOP - BOTTOM) / max(1, len(rows))
    parts = [format_html("<title>{}</title>", title)]
    for r, row_label in enumerate(rows):
        y = TOP + r * cell_h
        parts.append(
            format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT - 4,
                f"{y + cell_h / 2 + 4:.1f}",
                row_label,
            )
        )
        for c, value in enumerate(values[r]):
            x = LEFT + c * cell_w
            level = 0 if value is None else 1 + round(4 * value / highest)
            parts.append(
                format_html(
                    '<rect class="chart-heat-{}" x="{}" y="{}" width="{}" height="{}"/>',
                    level,
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{cell_w - 1:.1f}",
                    f"{cell_h - 1:.1f}",
                )
            )
            if value is not None:
                parts.append(
                    format_html(
                        '<text class="chart-cell" x="{}" y="{}" text-anchor="middle">{}</text>',
                        f"{x + cell_w / 2:.1f}",
                        f"{y + cell_h / 2 + 4:.1f}",
                        f"{value:.0f}",
                    )
                )
    for c, column in enumerate(columns):
        parts.append(
            format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                f"{LEFT + c * cell_w + cell_w / 2:.1f}",
                HEIGHT - BOTTOM + 14,
                column,
            )
        )
    return _svg(parts, title)
