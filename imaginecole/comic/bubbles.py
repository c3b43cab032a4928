"""Geometry of the balloons: outlines as SVG path data, tails, and the room left for text.

All coordinates are page px. A balloon is described by its centre and semi-axes (the
ellipse inscribed in the box the teacher drew); its tail runs from the outline point
nearest the target towards the target.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

#: Share of the box width and height where text may go, per outline style.
TEXT_ROOM = {
    "speech": (0.74, 0.70),
    "whisper": (0.74, 0.70),
    "thought": (0.70, 0.64),
    "shout": (0.62, 0.52),
}
#: Half-angle (radians, ellipse parameter) of the base of a tail.
TAIL_HALF_ANGLE = 0.2
#: A tail stops this far (share of the speaker's art size) from the head centre.
HEAD_CLEARANCE = 0.24


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    a: float  # horizontal semi-axis
    b: float  # vertical semi-axis

    def point(self, t: float) -> tuple[float, float]:
        return self.cx + self.a * math.cos(t), self.cy + self.b * math.sin(t)

    def angle_towards(self, x: float, y: float) -> float:
        """Ellipse parameter of the outline point on the ray from the centre to (x, y)."""
        return math.atan2((y - self.cy) / self.b, (x - self.cx) / self.a)

    def edge_towards(self, x: float, y: float) -> tuple[float, float]:
        return self.point(self.angle_towards(x, y))

    def contains(self, x: float, y: float) -> bool:
        return ((x - self.cx) / self.a) ** 2 + ((y - self.cy) / self.b) ** 2 <= 1.0

    def normal(self, t: float) -> tuple[float, float]:
        """Outward unit normal at parameter t."""
        nx, ny = self.b * math.cos(t), self.a * math.sin(t)
        length = math.hypot(nx, ny) or 1.0
        return nx / length, ny / length

    def even_params(self, count: int, start: float = 0.0) -> list[float]:
        """`count` parameters spaced evenly along the outline (not along the angle)."""
        steps = 360
        ts = [start + 2 * math.pi * i / steps for i in range(steps + 1)]
        lengths = [0.0]
        for t0, t1 in zip(ts, ts[1:], strict=False):
            (x0, y0), (x1, y1) = self.point(t0), self.point(t1)
            lengths.append(lengths[-1] + math.hypot(x1 - x0, y1 - y0))
        total, out, j = lengths[-1], [], 0
        for i in range(count):
            goal = total * i / count
            while lengths[j + 1] < goal:
                j += 1
            share = (goal - lengths[j]) / ((lengths[j + 1] - lengths[j]) or 1.0)
            out.append(ts[j] + share * (ts[j + 1] - ts[j]))
        return out

    def perimeter(self) -> float:
        a, b = self.a, self.b  # Ramanujan
        return math.pi * (3 * (a + b) - math.sqrt((3 * a + b) * (a + 3 * b)))


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _pt(p: tuple[float, float]) -> str:
    return f"{_fmt(p[0])},{_fmt(p[1])}"


def text_room(style: str, w: float, h: float) -> tuple[float, float]:
    """Width and height (px) left for text inside a `style` balloon drawn in a w x h box."""
    fw, fh = TEXT_ROOM.get(style, TEXT_ROOM["speech"])
    return w * fw, h * fh


def tail_tip(
    ellipse: Ellipse, target: tuple[float, float], clearance: float = 0.0
) -> tuple[float, float] | None:
    """Where the tail ends: `clearance` px short of `target`, never inside the balloon.

    None when the target is inside the balloon (no tail then).
    """
    tx, ty = target
    if ellipse.contains(tx, ty):
        return None
    ex, ey = ellipse.edge_towards(tx, ty)
    dx, dy = tx - ex, ty - ey
    dist = math.hypot(dx, dy)
    if dist < 1:
        return None
    # keep at least a short tail, even when the speaker's head touches the balloon
    stop = min(clearance, dist * 0.6)
    return tx - dx / dist * stop, ty - dy / dist * stop


def speech_path(ellipse: Ellipse, tip: tuple[float, float] | None) -> str:
    """An ellipse, with a triangular tail to `tip` merged into one outline."""
    e = ellipse
    if tip is None:
        left, right = e.point(math.pi), e.point(0)
        return (
            f"M{_pt(left)}A{_fmt(e.a)},{_fmt(e.b)} 0 1 1 {_pt(right)}"
            f"A{_fmt(e.a)},{_fmt(e.b)} 0 1 1 {_pt(left)}Z"
        )
    t0 = e.angle_towards(*tip)
    start, end = e.point(t0 + TAIL_HALF_ANGLE), e.point(t0 - TAIL_HALF_ANGLE)
    return f"M{_pt(start)}A{_fmt(e.a)},{_fmt(e.b)} 0 1 1 {_pt(end)}L{_pt(tip)}Z"


def thought_path(ellipse: Ellipse) -> str:
    """A cloud: arcs bulging outwards between points of the ellipse."""
    e = ellipse
    bump = max(18.0, 0.55 * min(e.a, e.b))
    count = max(8, min(22, round(e.perimeter() / bump)))
    points = [e.point(t) for t in e.even_params(count)]
    parts = [f"M{_pt(points[0])}"]
    for i in range(count):
        p, q = points[i], points[(i + 1) % count]
        r = math.hypot(q[0] - p[0], q[1] - p[1]) * 0.6
        parts.append(f"A{_fmt(r)},{_fmt(r)} 0 0 1 {_pt(q)}")
    parts.append("Z")
    return "".join(parts)


def thought_trail(
    ellipse: Ellipse, tip: tuple[float, float] | None
) -> list[tuple[float, float, float]]:
    """Three little circles (cx, cy, r) from the cloud towards `tip`, getting smaller."""
    if tip is None:
        return []
    ex, ey = ellipse.edge_towards(*tip)
    dx, dy = tip[0] - ex, tip[1] - ey
    base = max(5.0, min(0.14 * min(ellipse.a, ellipse.b), math.hypot(dx, dy) / 4))
    circles = []
    for i, share in enumerate((0.25, 0.6, 0.92)):
        circles.append((ex + dx * share, ey + dy * share, base * (1 - 0.3 * i)))
    return circles


def shout_path(ellipse: Ellipse, tip: tuple[float, float] | None, seed: str = "") -> str:
    """A jagged star around the ellipse; the spike nearest the target becomes the tail."""
    e = ellipse
    spike = max(10.0, 0.3 * min(e.a, e.b))
    # the spikes grow out of a smaller ellipse, so their tips reach about the box's edge
    base = Ellipse(e.cx, e.cy, max(1.0, e.a - spike), max(1.0, e.b - spike))
    count = max(12, min(30, round(base.perimeter() / (2.0 * spike))))
    rng = random.Random(seed)  # a stable outline for a given balloon id
    params = base.even_params(2 * count)
    tip_index = None
    if tip is not None:
        t_tip = base.angle_towards(*tip)
        tip_index = min(
            range(1, 2 * count, 2),
            key=lambda i: abs(math.remainder(params[i] - t_tip, 2 * math.pi)),
        )
    points = []
    for i, t in enumerate(params):
        x, y = base.point(t)
        if i == tip_index:
            points.append(tip)
        elif i % 2:
            nx, ny = base.normal(t)
            out = spike * (1.0 + rng.uniform(0.0, 0.35))
            points.append((x + nx * out, y + ny * out))
        else:
            nx, ny = base.normal(t)
            dent = spike * rng.uniform(0.0, 0.15)
            points.append((x - nx * dent, y - ny * dent))
    return "M" + "L".join(_pt(p) for p in points) + "Z"


def outline(style: str, ellipse: Ellipse, tip: tuple[float, float] | None, seed: str = ""):
    """The balloon outline of `style`: (path data, trailing circles)."""
    if style == "thought":
        return thought_path(ellipse), thought_trail(ellipse, tip)
    if style == "shout":
        return shout_path(ellipse, tip, seed), []
    return speech_path(ellipse, tip), []
