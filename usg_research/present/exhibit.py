"""What a presentation function returns, what it is given, and the labelling every one of them shares.

The notebook estimates (``usg_research.estimate``) and hands the tidy table to a presentation
function (``charts``, ``tables``, ``records``, ``fieldwork``, ``models``), which returns an
:class:`Exhibit`: the tidy numbers that become ``tables/<id>.csv``, a figure or a reading view, the
caption notes the presentation implies (e.g. that the bars are 95% CIs) and the unweighted n it
rests on. Presentation functions read only an :class:`OutputContext`: the output's id and title,
the report's words and the indicator catalogue. They never see the data source or the notebook.

Examples
--------
>>> import pandas as pd
>>> from usg_research.present.words import Words
>>> t = pd.DataFrame({"item": ["a", "b"], "domain": ["total", "sex"], "level": ["total", "female"],
...                   "estimate": [0.2, 0.4], "n": [50, 20]})
>>> label_rows(t, Words("es"))[["panel", "group"]].values.tolist()
[['Total', 'Todas las personas adultas'], ['Sexo', 'Mujeres']]
>>> universe_n(t)
50
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..estimate.indicators import Indicator, load_catalogue
from .words import Words

#: Columns of a survey estimate's CSV, in this order (labels for readers are not saved).
TIDY = ("item", "domain", "level", "estimate", "se", "ci_low", "ci_high", "cv", "n", "flag")
#: Disaggregations in reading order.
DOMAIN_ORDER = ("total", "sex", "age_group", "area")


@dataclass
class Exhibit:
    """A built output: tidy data (the CSV), a figure or a reading view, the notes and n for its caption."""

    data: pd.DataFrame
    figure: Any = None
    view: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    n: int | None = None


@dataclass
class OutputContext:
    """What a presentation function may read: the output id, the report's words and the catalogue."""

    id: str
    words: Words
    catalogue: dict[str, Indicator]

    @classmethod
    def of(cls, output_id: str, language: str = "en") -> OutputContext:
        """The context of ``output_id`` in ``language`` with the package's catalogue (for trying a
        presentation function outside a notebook).

        Examples
        --------
        >>> OutputContext.of("FIG-SAF-01", "es").title
        'Sensación de seguridad al caminar solo de noche'
        """
        return cls(output_id, Words(language), load_catalogue())

    @property
    def title(self) -> str:
        """The output's title in the report language (``titles`` of words.yaml)."""
        return self.words.title(self.id)

    @property
    def language(self) -> str:
        return self.words.language

    def indicator(self, indicator_id: str) -> str:
        """An indicator's label in the report language."""
        return self.catalogue[indicator_id].labels[self.language]  # type: ignore[index]

    @property
    def ci_note(self) -> str:
        """The caption note of every chart or table with design-based 95% CIs."""
        return self.words.phrase("ci_note") + "."


def label_rows(t: pd.DataFrame, words: Words, item_label: Callable[[str], str] | None = None) -> pd.DataFrame:
    """Rows in reading order (total, sex, age group, area) with reader labels.

    Adds ``panel`` (the disaggregation's name), ``group`` (its level) and, with ``item_label``,
    ``label`` (the item's name).
    """
    rank = {d: i for i, d in enumerate(DOMAIN_ORDER)}
    out = t.assign(_d=t["domain"].map(lambda d: rank.get(d, 9))).sort_values("_d", kind="stable").drop(columns="_d")
    out["panel"] = [words.label(f"domain:{d}") for d in out["domain"]]
    out["group"] = [words.level(d, lv) for d, lv in zip(out["domain"], out["level"], strict=True)]
    if item_label is not None:
        out["label"] = [item_label(i) for i in out["item"]]
    return out


def sort_items(t: pd.DataFrame) -> pd.DataFrame:
    """Items ordered by their whole-sample estimate, largest first (suppressed items last)."""
    tot = t[t["domain"] == "total"].set_index("item")["estimate"].fillna(-1)
    order = {k: i for i, k in enumerate(tot.sort_values(ascending=False, kind="stable").index)}
    return t.assign(_o=t["item"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def tidy(t: pd.DataFrame, *extra: str) -> pd.DataFrame:
    """The columns of a survey estimate that are saved (``extra`` ones first), without reader labels."""
    cols = [*extra, *TIDY]
    return t[[c for c in dict.fromkeys(cols) if c in t.columns]]


def universe_n(t: pd.DataFrame) -> int:
    """Unweighted n of an estimate table: the largest whole-sample universe among its items."""
    tot = t[t["domain"] == "total"]
    return int(tot["n"].max()) if len(tot) else 0
