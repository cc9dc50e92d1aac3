"""Bar charts as SVG, drawn with matplotlib's object API (no pyplot, no global backend:
safe in a worker or a web process). A chart is drawn from published values only: a
hidden count gets no bar, only its symbol ("<5", "x") where the bar would stand."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from services.reports.formatting import kronor

BAR = "#1f4e79"  # a dark blue that prints well in black and white too


def bar_chart(title: str, labels: Sequence[str], values: Sequence[int | None], *,
              hidden: Sequence[str] | None = None, unit: str = "") -> str:
    """The chart as an SVG document. `hidden[i]` is what to write for a None value."""
    figure = Figure(figsize=(6.4, 2.9), dpi=100)
    axes = figure.add_subplot()
    positions = range(len(labels))
    heights = [v or 0 for v in values]
    bars = axes.bar(positions, heights, color=BAR, width=0.6)
    top = max(heights, default=0) or 1
    for i, (bar, value) in enumerate(zip(bars, values, strict=True)):
        text = kronor(value) if value is not None else (hidden[i] if hidden else "x")
        axes.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                      fontsize=8)
    axes.set_xticks(list(positions), list(labels), fontsize=8)
    axes.set_ylim(0, top * 1.18)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: kronor(int(y))))
    axes.tick_params(axis="y", labelsize=7)
    axes.set_title(title, fontsize=10, loc="left")
    if unit:
        axes.set_ylabel(unit, fontsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})  # no timestamp: reproducible
    return out.getvalue()


def data_uri(svg: str) -> str:
    """For an <img src=...>: WeasyPrint and every browser draw it, and the HTML stays one
    self-contained file."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
