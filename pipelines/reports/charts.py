"""Charts as inline SVG: a report is one self-contained file, readable offline, with no
script library to fetch. Every mark a reader can point at (bar, point, matrix cell)
carries a <title> tooltip with its exact value; the classes bar/cell and circles are
what the headless layout check counts. Every chart shows its title above it, says what
its axes measure and has a legend: a hover tooltip is no title (two bar charts of the same
counties side by side are told apart only by what they print)."""

from __future__ import annotations

from html import escape

ERROR_COLOUR = "#c0392b"
WARNING_COLOUR = "#e6a23c"
NEUTRAL_COLOUR = "#4a7ebb"
RESOLVED_COLOUR = "#3c9d5d"
TARGET_COLOUR = "#333333"
SERIES_COLOURS = ("#4a7ebb", "#e6a23c", "#3c9d5d", "#c0392b", "#8e6cbf", "#7f8c8d")

Number = int | float
TITLE_BAND = 28  # the visible title above every chart's drawing
AXIS_BAND = 20  # an axis label below a drawing
CLOSE = "</g>\n</svg>"


def number(value: Number | None, unit: str = "", decimals: int = 2) -> str:
    """12,345 for counts, 12.35 for measures (the marts' own rounding), 无 for NULL."""
    if value is None:
        return "无"
    return f"{value:,}{unit}" if isinstance(value, int) else f"{value:,.{decimals}f}{unit}"


def _svg(chart_id: str, title: str, width: int, height: int) -> list[str]:
    """The chart's opening: its title written above a drawing ``height`` high, which the
    caller draws from y = 0 and ends with CLOSE."""
    total = height + TITLE_BAND
    return [f'<svg class="chart" id="{chart_id}" role="img" aria-label="{escape(title)}" '
            f'viewBox="0 0 {width} {total}" width="{width}" height="{total}">',
            f"<title>{escape(title)}</title>",
            f'<text class="chart-title" x="4" y="18" font-size="15" font-weight="bold">'
            f"{escape(title)}</text>",
            f'<g transform="translate(0 {TITLE_BAND})">']  # fmt: skip


def _axis_label(x: float, y: float, text: str, anchor: str = "start", rotate: bool = False) -> str:
    turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
    return (f'<text class="axis-label" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
            f'fill="#555"{turn}>{escape(text)}</text>')


def _legend(x: float, y: float, entries: list[tuple[str, str]], spacing: int = 130) -> list[str]:
    """A row of coloured squares with their names, at (x, y)."""
    parts = []
    for n, (name, colour) in enumerate(entries):
        lx = x + n * spacing
        parts += [f'<rect class="legend" x="{lx:.1f}" y="{y:.1f}" width="12" height="12" '
                  f'fill="{colour}"/>',
                  f'<text x="{lx + 16:.1f}" y="{y + 10:.1f}">{escape(name)}</text>']  # fmt: skip
    return parts


def bar_chart(chart_id: str, title: str, bars: list[tuple[str, Number | None, str]], *,
              axis: str, legend: list[tuple[str, str]], target: tuple[str, float] | None = None,
              unit: str = "", decimals: int = 2) -> str:
    """Horizontal bars, one per (label, value, colour), with the value written at the end;
    ``axis`` says what the bars' length measures, ``legend`` names the colours (name,
    colour); a ``target`` (name, value) is drawn as a dashed line across all bars."""
    row, label_width, width = 24, 230, 760
    bars_bottom = 10 + row * max(len(bars), 1) + (20 if target else 0)
    height = bars_bottom + AXIS_BAND + 24
    top = max([value or 0 for _, value, _ in bars] + [target[1] if target else 0]) or 1
    scale = (width - label_width - 90) / top
    parts = _svg(chart_id, title, width, height)
    for i, (label, value, colour) in enumerate(bars):
        y = 10 + i * row
        length = scale * (value or 0)
        parts += [
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>',
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{colour}"><title>{escape(label)}: {number(value, unit, decimals)}</title></rect>',
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}">'
            f"{number(value, unit, decimals)}</text>",
        ]
    if not bars:
        parts.append(f'<text x="{label_width}" y="25">无</text>')
    if target:
        x = label_width + scale * target[1]
        bottom = 10 + row * max(len(bars), 1)
        parts += [f'<line class="target" x1="{x:.1f}" y1="6" x2="{x:.1f}" y2="{bottom}" '
                  f'stroke="{TARGET_COLOUR}" stroke-dasharray="4 3"/>',
                  f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">'
                  f"{escape(target[0])} {number(target[1], unit)}</text>"]  # fmt: skip
    parts.append(_axis_label(label_width, bars_bottom + 14, f"横轴：{axis}"))
    parts += _legend(label_width, bars_bottom + AXIS_BAND + 6, legend)
    parts.append(CLOSE)
    return "\n".join(parts)


def stacked_bar_chart(chart_id: str, title: str, names: list[str],
                      bars: list[tuple[str, list[float | None]]], *, axis: str,
                      unit: str = "%") -> str:
    """Horizontal bars split into one segment per name (shares that add up to ~100), with
    a legend; ``axis`` says what the length measures; a bar of only NULLs is drawn empty
    and labelled 无."""
    row, label_width, width = 24, 230, 760
    bars_bottom = 10 + row * max(len(bars), 1)
    height = bars_bottom + AXIS_BAND + 24
    plot = width - label_width - 30
    parts = _svg(chart_id, title, width, height)
    for i, (label, shares) in enumerate(bars):
        y = 10 + i * row
        parts.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
                     f"{escape(label)}</text>")  # fmt: skip
        x = float(label_width)
        for n, (name, share) in enumerate(zip(names, shares, strict=True)):
            length = plot * (share or 0) / 100
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
                f'fill="{SERIES_COLOURS[n % len(SERIES_COLOURS)]}"><title>{escape(label)} '
                f"{escape(name)}: {number(share, unit)}</title></rect>")  # fmt: skip
            x += length
        if all(share is None for share in shares):
            parts.append(f'<text x="{label_width + 4}" y="{y + 15}">无</text>')
    parts.append(_axis_label(label_width, bars_bottom + 14, f"横轴：{axis}"))
    parts += _legend(label_width, bars_bottom + AXIS_BAND + 6,
                     [(name, SERIES_COLOURS[n % len(SERIES_COLOURS)]) for n, name in enumerate(names)],
                     spacing=110)
    parts.append(CLOSE)
    return "\n".join(parts)


def line_chart(chart_id: str, title: str, x_labels: list[str],
               series: list[tuple[str, list[Number | None], str]], *, x_axis: str, y_axis: str,
               reference: tuple[str, float] | None = None, size: tuple[int, int] = (760, 260),
               unit: str = "") -> str:
    """One line per (name, values, colour) over the x labels, with a legend and the axes
    named (``x_axis``, ``y_axis``); a single point shows as a point, a NULL leaves a gap.
    A ``reference`` (name, value) is drawn as a dashed horizontal line."""
    width, height = size
    left, right, top_pad, bottom = 76, 20, 30, 70
    values_seen = [v for _, values, _ in series for v in values if v is not None]
    top = max(values_seen + [reference[1] if reference else 0], default=0) or 1
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    step = plot_w / max(len(x_labels) - 1, 1)

    def point(i: int, value: Number) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h * (1 - value / top)

    parts = _svg(chart_id, title, width, height) + [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" '
        f'y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end">{number(top, unit)}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end">0</text>',
        _axis_label(14, top_pad + plot_h / 2, y_axis, anchor="middle", rotate=True),
        _axis_label(left + plot_w / 2, height - bottom + 36, x_axis, anchor="middle")]  # fmt: skip
    every = max(1, len(x_labels) // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            x, _ = point(i, 0)
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" '
                         f'text-anchor="middle">{escape(label)}</text>')  # fmt: skip
    if reference:
        _, y = point(0, reference[1])
        parts += [f'<line class="target" x1="{left}" y1="{y:.1f}" x2="{width - right}" '
                  f'y2="{y:.1f}" stroke="{TARGET_COLOUR}" stroke-dasharray="4 3"/>',
                  f'<text x="{width - right}" y="{y - 4:.1f}" text-anchor="end">'
                  f"{escape(reference[0])} {number(reference[1], unit)}</text>"]  # fmt: skip
    for name, values, colour in series:
        points = [(i, point(i, v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for _, (x, y) in points)
            parts.append(f'<polyline class="line" points="{path}" fill="none" '
                         f'stroke="{colour}" stroke-width="2"/>')  # fmt: skip
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                  f"<title>{escape(name)} {escape(x_labels[i])}: {number(values[i], unit)}</title>"
                  "</circle>" for i, (x, y) in points]  # fmt: skip
    parts += _legend(left, height - 18, [(name, colour) for name, _, colour in series], 150)
    parts.append(CLOSE)
    return "\n".join(parts)


def status_grid(chart_id: str, title: str, columns: list[str], rows: list[str],
                cells: dict[tuple[str, str], tuple[str, str]], colours: dict[str, str],
                legend: dict[str, str], *, columns_axis: str, rows_axis: str) -> str:
    """A matrix of coloured squares: ``cells[(row, column)] = (status, tooltip)``, coloured
    by ``colours[status]``; column labels are written vertically under ``columns_axis``,
    rows are named ``rows_axis``, a legend names each status. An absent cell is blank."""
    cell, label_width, head = 14, 200, 100
    width = label_width + max(cell * len(columns) + 20, 110 * len(legend))
    height = head + cell * max(len(rows), 1) + 30
    parts = _svg(chart_id, title, width, height)
    for j, column in enumerate(columns):
        x = label_width + j * cell + cell / 2
        parts.append(f'<text x="{x:.1f}" y="{head - 4}" transform="rotate(-90 {x:.1f} {head - 4})" '
                     f'font-size="10">{escape(column)}</text>')  # fmt: skip
    for i, row in enumerate(rows):
        y = head + i * cell
        parts.append(f'<text x="{label_width - 6}" y="{y + cell - 3}" text-anchor="end" '
                     f'font-size="11">{escape(row)}</text>')  # fmt: skip
        for j, column in enumerate(columns):
            if (row, column) not in cells:
                continue
            status, tooltip = cells[(row, column)]
            parts.append(f'<rect class="cell" x="{label_width + j * cell}" y="{y}" '
                         f'width="{cell - 1}" height="{cell - 1}" fill="{colours[status]}">'
                         f"<title>{escape(tooltip)}</title></rect>")  # fmt: skip
    parts += [_axis_label(label_width, 12, f"列：{columns_axis}"),
              _axis_label(label_width - 6, head - 4, f"行：{rows_axis}", anchor="end")]
    parts += _legend(label_width, height - 16,
                     [(name, colours[status]) for status, name in legend.items()], 110)
    parts.append(CLOSE)
    return "\n".join(parts)
