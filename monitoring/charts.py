"""Server-drawn trend charts for the indicators (no JavaScript, no inline style: the strict CSP).

Pure: numbers in, SVG text out, in the manner of edc.charts. Colours come from classes the
stylesheet defines (monitoring/monitoring.css): the amber and red threshold bands and the line.
"""
from html import escape

SMALL = (240, 64, 4, 6)  # width, height, horizontal and vertical padding
LARGE = (720, 240, 48, 28)


def trend_svg(points: list[tuple[str, float | None]], *, amber: float | None, red: float | None,
              title: str = "", large: bool = False) -> str:
    """A line over time (oldest first); dashed lines mark the amber and red thresholds. The large
    chart also labels the thresholds, the months and each value."""
    WIDTH, HEIGHT, PAD_X, PAD_Y = LARGE if large else SMALL
    values = [v for _label, v in points if v is not None]
    if not values:
        return ""
    marks = [m for m in (amber, red) if m is not None]
    top = max(values + marks) or 1.0
    bottom = min(values + marks + [0.0])
    span = (top - bottom) or 1.0
    step = (WIDTH - 2 * PAD_X) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return HEIGHT - PAD_Y - (HEIGHT - 2 * PAD_Y) * (v - bottom) / span

    parts, pen = [], "M"
    for i, (_label, v) in enumerate(points):
        if v is None:
            pen = "M"
            continue
        parts.append(f"{pen}{PAD_X + i * step:.1f},{y(v):.1f}")
        pen = "L"
    dots = "".join(
        f'<circle cx="{PAD_X + i * step:.1f}" cy="{y(v):.1f}" r="2"><title>{escape(label)}: {v:g}</title></circle>'
        for i, (label, v) in enumerate(points) if v is not None)
    lines = "".join(
        f'<line class="{cls}" x1="{PAD_X}" y1="{y(m):.1f}" x2="{WIDTH - PAD_X}" y2="{y(m):.1f}"/>'
        for cls, m in (("amber", amber), ("red", red)) if m is not None)
    labels = ""
    if large:
        labels = "".join(
            f'<text class="{cls}" x="{PAD_X - 6}" y="{y(m) + 4:.1f}" text-anchor="end">{m:g}</text>'
            for cls, m in (("amber", amber), ("red", red)) if m is not None)
        labels += "".join(
            f'<text x="{PAD_X + i * step:.1f}" y="{HEIGHT - 6}" text-anchor="middle">{escape(label[:7])}</text>'
            for i, (label, _v) in enumerate(points) if i % 3 == 0 or i == len(points) - 1)
        labels += "".join(
            f'<text x="{PAD_X + i * step:.1f}" y="{y(v) - 7:.1f}" text-anchor="middle">{v:g}</text>'
            for i, (_label, v) in enumerate(points) if v is not None)
        dots = dots.replace('r="2"', 'r="3.5"')
    size = " big" if large else ""
    return (f'<svg class="trend{size}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
            f'{lines}<path class="line" d="{" ".join(parts)}"/>{dots}{labels}</svg>')
