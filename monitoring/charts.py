"""Server-drawn trend charts for the indicators (no JavaScript, no inline style: the strict CSP).

Pure: numbers in, SVG text out, in the manner of edc.charts. Colours come from classes the
stylesheet defines (monitoring/monitoring.css): the amber and red threshold bands and the line.
"""
from html import escape

WIDTH, HEIGHT, PAD_X, PAD_Y = 240, 64, 4, 6


def trend_svg(points: list[tuple[str, float | None]], *, amber: float | None, red: float | None,
              higher_is_worse: bool = True, title: str = "") -> str:
    """A small line over time (oldest first); dashed lines mark the amber and red thresholds."""
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
    return (f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
            f'{lines}<path class="line" d="{" ".join(parts)}"/>{dots}</svg>')
