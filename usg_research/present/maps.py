"""Choropleth maps drawn offline from boundary polygons (no tile server, no network).

Areas are coloured by quantile class of a rate on a sequential palette; an area without a value
(no resident population) is hatched grey and named in the legend; the map keeps the true shape
(longitude scaled by the cosine of the latitude).

Examples
--------
>>> from shapely.geometry import box
>>> shapes = pd.Series({"A": box(0, 0, 1, 1), "B": box(1, 0, 2, 1), "C": box(2, 0, 3, 1)})
>>> fig, classes = choropleth(shapes, pd.Series({"A": 10.0, "B": 30.0, "C": np.nan}), "Rate", "per 100,000",
...                           "no residents", k=2)
>>> classes.tolist()
['10-20', '20-30', 'no residents']
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath

from .figures import WIDTH, tight

#: The sequential palette of the classes (light = low), colour-blind safe.
CLASS_COLOURS = ["#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154"]
NO_VALUE = "#d9d9d9"


def _path(geom: object) -> MplPath:
    """One compound path for a polygon or multipolygon (holes included)."""
    polygons = getattr(geom, "geoms", [geom])
    rings = [ring for p in polygons for ring in (p.exterior, *p.interiors)]
    return MplPath.make_compound_path(*[MplPath(np.asarray(r.coords)[:, :2], closed=True) for r in rings])


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.1f}"


def choropleth(shapes: pd.Series, values: pd.Series, title: str, legend: str, no_value: str, k: int = 5,
               number: Callable[[float], str] = _fmt) -> tuple[plt.Figure, pd.Series]:
    """Draw ``shapes`` (shapely polygons by area id) coloured by ``values`` (by area id) in ``k`` quantile
    classes; returns the figure and each area's class label (in ``shapes``' order).

    An area missing from ``values`` or with a missing value is drawn hatched in grey, labelled ``no_value``.
    ``number`` writes a class bound (the report language's way: :meth:`~usg_research.present.words.Words.number`).
    """
    v = values.reindex(shapes.index).astype(float)
    known = v.dropna()
    k = max(1, min(k, known.nunique(), len(CLASS_COLOURS)))
    edges = np.unique(np.quantile(known.to_numpy(), np.linspace(0, 1, k + 1))) if len(known) else np.array([0.0])
    idx = np.clip(np.searchsorted(edges, v.to_numpy(), side="right") - 1, 0, max(len(edges) - 2, 0))
    labels = [f"{number(edges[i])}-{number(edges[i + 1])}" for i in range(len(edges) - 1)] or [number(edges[0])]
    top = len(CLASS_COLOURS) - 1  # the classes spread over the palette, light to dark
    colours = [CLASS_COLOURS[round(j * top / max(len(labels) - 1, 1))] for j in range(len(labels))]
    has = v.notna().to_numpy()
    classes = pd.Series(np.where(has, [labels[i] for i in idx], no_value), index=shapes.index, name="class")
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * 0.75))
    paths = [_path(g) for g in shapes]
    ax.add_collection(PathCollection([p for p, h in zip(paths, has, strict=True) if h],
                                     facecolors=[colours[i] for i, h in zip(idx, has, strict=True) if h],
                                     edgecolors="white", linewidths=0.4))
    if not has.all():
        ax.add_collection(PathCollection([p for p, h in zip(paths, has, strict=True) if not h],
                                         facecolors=NO_VALUE, edgecolors="white", hatch="////", linewidths=0.4))
    bounds = np.array([g.bounds for g in shapes])
    ax.set_xlim(bounds[:, 0].min(), bounds[:, 2].max())
    ax.set_ylim(bounds[:, 1].min(), bounds[:, 3].max())
    ax.set_aspect(1 / np.cos(np.radians((bounds[:, 1].min() + bounds[:, 3].max()) / 2)))
    ax.set_axis_off()
    handles = [Patch(facecolor=c, edgecolor="white", label=lab) for c, lab in zip(colours, labels, strict=True)]
    if not has.all():
        handles.append(Patch(facecolor=NO_VALUE, hatch="////", edgecolor="white", label=no_value))
    ax.legend(handles=handles, title=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(title, loc="left")
    tight(fig)
    return fig, classes


__all__ = ["choropleth"]
