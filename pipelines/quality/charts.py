"""Charts as inline SVG: the report is one self-contained file, readable offline, with no
script library to fetch."""

from __future__ import annotations

from html import escape

ERROR_COLOUR = "#c0392b"
WARNING_COLOUR = "#e6a23c"
NEUTRAL_COLOUR = "#4a7ebb"
RESOLVED_COLOUR = "#3c9d5d"


def bar_chart(chart_id: str, title: str, bars: list[tuple[str, int, str]]) -> str:
    """Horizontal bars, one per (label, value, colour), with the value written at the end."""
    row, label_width, width = 24, 230, 760
    height = row * max(len(bars), 1) + 30
    top = max((value for _, value, _ in bars), default=0) or 1
    parts = [f'<svg class="chart" id="{chart_id}" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
             f"<title>{escape(title)}</title>"]  # fmt: skip
    for i, (label, value, colour) in enumerate(bars):
        y = 10 + i * row
        length = (width - label_width - 90) * value / top
        parts += [
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>',
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{colour}"><title>{escape(label)}: {value:,}</title></rect>',
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}">{value:,}</text>',
        ]
    if not bars:
        parts.append(f'<text x="{label_width}" y="25">无</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart(chart_id: str, title: str, x_labels: list[str],
               series: list[tuple[str, list[int], str]]) -> str:
    """One line per (name, values, colour) over the runs, with a legend; a single run shows
    as points."""
    width, height, left, right, top_pad, bottom = 760, 260, 60, 20, 30, 50
    top = max((max(values, default=0) for _, values, _ in series), default=0) or 1
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    step = plot_w / max(len(x_labels) - 1, 1)

    def point(i: int, value: int) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h * (1 - value / top)

    parts = [f'<svg class="chart" id="{chart_id}" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" '
             f'y2="{top_pad + plot_h}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end">{top:,}</text>',
             f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end">0</text>']  # fmt: skip
    every = max(1, len(x_labels) // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            x, _ = point(i, 0)
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" '
                         f'text-anchor="middle">{escape(label)}</text>')  # fmt: skip
    for n, (name, values, colour) in enumerate(series):
        points = [point(i, v) for i, v in enumerate(values)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline class="line" points="{path}" fill="none" '
                         f'stroke="{colour}" stroke-width="2"/>')  # fmt: skip
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                  f"<title>{escape(name)} {escape(x_labels[i])}: {values[i]:,}</title></circle>"
                  for i, (x, y) in enumerate(points)]  # fmt: skip
        lx = left + n * 150
        parts += [f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{colour}"/>',
                  f'<text x="{lx + 16}" y="{height - 8}">{escape(name)}</text>']  # fmt: skip
    parts.append("</svg>")
    return "\n".join(parts)
