"""Writing a report's figure files: PNG for the page, SVG for print, here or in helper processes.

Laying out and rendering figures (two formats each) is most of a report's build time. During a build
that leaves cores idle (one report at a time), the build asks for helper processes: each figure is
pickled and laid out and rendered there while the notebook goes on estimating the next output. A
figure rendered from its pickle in a fresh process with the package style is byte-identical to one
rendered in place (every published figure is, tested by ``verify``), so the choice never changes an
output.

Examples
--------
>>> import tempfile, matplotlib.pyplot as plt
>>> from pathlib import Path
>>> files = FigureFiles(Path(tempfile.mkdtemp()))
>>> fig, ax = plt.subplots()
>>> png, svg = files.write("FIG-DEMO-01", fig)
>>> files.wait(), png.name, svg.exists()
(None, 'FIG-DEMO-01.png', True)
"""

from __future__ import annotations

import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from .figures import finish, use_style


def save_figure(fig: Any, png: Path, svg: Path) -> None:
    """Lay ``fig`` out (:func:`~usg_research.present.figures.tight`), then save it as PNG (150 dpi) and SVG,
    tight to its content, with no date or software stamp."""
    finish(fig)
    fig.savefig(png, dpi=150, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, bbox_inches="tight", metadata={"Date": None, "Creator": None})


def _save_pickled(blob: bytes, png: str, svg: str) -> None:
    fig = pickle.loads(blob)
    save_figure(fig, Path(png), Path(svg))
    plt.close(fig)


class FigureFiles:
    """The ``figures/`` folder of a report being built.

    Parameters
    ----------
    folder : the report's working folder (files go to ``folder/figures``).
    workers : helper processes that lay out and render figures (0: in this process, as soon as asked).
    """

    def __init__(self, folder: Path, workers: int = 0):
        self.dir = Path(folder) / "figures"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._pending: dict[str, Future] = {}
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                             initializer=use_style)
            self._pool.submit(int)  # start the helper now: its imports overlap the notebook's data loading

    def write(self, output_id: str, fig: Any) -> tuple[Path, Path]:
        """Save ``fig`` as ``<id>.png`` and ``<id>.svg`` (now, or queued to the helper) and close it."""
        png, svg = self.dir / f"{output_id}.png", self.dir / f"{output_id}.svg"
        if self._pool is None:
            save_figure(fig, png, svg)
        else:
            self._pending[output_id] = self._pool.submit(_save_pickled, pickle.dumps(fig), str(png), str(svg))
        plt.close(fig)
        return png, svg

    @property
    def deferred(self) -> bool:
        """Whether files are written by a helper (their bytes are there only after :meth:`close`)."""
        return self._pool is not None

    def wait(self) -> None:
        """Wait until every queued figure is written; a failed one raises its error here."""
        pending, self._pending = self._pending, {}
        for output_id, future in pending.items():
            try:
                future.result()
            except Exception as exc:
                raise RuntimeError(f"{output_id}: writing the figure files failed: {exc}") from exc

    def close(self) -> None:
        """Wait for the queued figures and stop the helper."""
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
