"""Small server-drawn SVG charts (no JavaScript): a person would rather look than read.

Pure functions: numbers in, SVG text out. Only numbers and ISO dates reach the markup.
"""
from datetime import date
from html import escape

WIDTH, HEIGHT, PAD = 560, 200, 36


def cumulative_line_svg(by_month: list[tuple[date, int]], *, target: int, title: str = "") -> str:
    """Cumulative enrolment by month, with the target as a dashed line."""
    if not by_month:
        return ""
    running, points = 0, []
    for month, n in by_month:
        running += n
        points.append((month, running))
    top = max(target, running) or 1
    span = max(len(points) - 1, 1)

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * i / span

    def y(v: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top

    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3"><title>{m.isoformat()[:7]}: {v}</title></circle>'
        for i, (m, v) in enumerate(points))
    labels = "".join(
        f'<text x="{x(i):.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle">{m.isoformat()[:7]}</text>'
        for i, (m, _) in enumerate(points) if i in {0, len(points) - 1} or len(points) <= 8)
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
        f'<line class="axis" x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}"/>'
        f'<line class="target" x1="{PAD}" y1="{y(target):.1f}" x2="{WIDTH - PAD}" y2="{y(target):.1f}"/>'
        f'<text class="target-label" x="{WIDTH - PAD}" y="{y(target) - 4:.1f}" '
        f'text-anchor="end">{target}</text>'
        f'<path class="line" d="{path}"/>{dots}{labels}'
        f'<text x="{PAD - 6}" y="{y(running):.1f}" text-anchor="end">{running}</text></svg>'
    )
