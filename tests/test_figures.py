"""What the figures draw: segments in scale order, suppressed ones in place, caution marked, distinct lines."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from usg_research.present import figures


def _bars(fig) -> list[tuple[float, float, str | None]]:
    """(left, width, hatch) of every bar segment of the first axes, in drawing order."""
    ax = fig.axes[0]
    return [(round(p.get_x(), 6), round(p.get_width(), 6), p.get_hatch()) for p in ax.patches]


def test_a_suppressed_answer_keeps_its_place_in_the_scale_and_caution_is_marked() -> None:
    t = pd.DataFrame({"row": "All", "item": ["a", "b", "c", "d"], "estimate": [0.20, None, 0.30, 0.35],
                      "flag": ["reliable", "suppressed", "caution", "reliable"]})
    fig = figures.stacked_scale(t, "title", "row", ["a", "b", "c", "d"], ["A", "B", "C", "D"])
    try:
        assert _bars(fig) == [(0.0, 20.0, None), (20.0, 15.0, "///"), (35.0, 30.0, None), (65.0, 35.0, None)]
        labels = [x.get_text() for x in fig.axes[0].texts]
        assert labels == ["20", "30" + figures.CAUTION_MARK, "35"]
    finally:
        plt.close(fig)


def test_two_suppressed_answers_share_what_the_shown_ones_leave() -> None:
    t = pd.DataFrame({"row": "All", "item": ["a", "b", "c"], "estimate": [None, 0.6, None],
                      "flag": ["suppressed", "reliable", "suppressed"]})
    fig = figures.stacked_scale(t, "title", "row", ["a", "b", "c"], ["A", "B", "C"])
    try:
        assert _bars(fig) == [(0.0, 20.0, "///"), (20.0, 60.0, None), (80.0, 20.0, "///")]
    finally:
        plt.close(fig)


@pytest.mark.parametrize("n", [9, 24])
def test_every_line_of_a_chart_looks_different(n: int) -> None:
    styles = [figures.series_style(i) for i in range(n)]
    assert len({(c, s["linestyle"], s["marker"]) for c, s in styles}) == n
