"""The outline of every assessment report, declared once: chapters, their output ids and module switches.

:data:`CHAPTERS` is REPORT.md's chapter list (with :data:`ADDED_TO_REPORT_MD`): a key (its heading and introduction in
``present/words.yaml``), the params ``modules`` switch that can leave it out (None: always in), and
its output ids in order. A city notebook may add outputs of its own (``FIG-DRG-03``): their chapter
is the one whose ids share the middle part (:func:`chapter_of`).

Examples
--------
>>> [c.key for c in CHAPTERS][:3]
['summary', 'methodology', 'context']
>>> len(OUTPUT_IDS), OUTPUT_IDS[0]
(51, 'TAB-SUM-01')
>>> chapter_of("FIG-DRG-03").key
'drugs'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: An output id: FIG or TAB, two to five capitals naming the topic, two digits.
ID_PATTERN = re.compile(r"^(FIG|TAB)-[A-Z]{2,5}-\d{2}$")


@dataclass(frozen=True)
class Chapter:
    """One chapter of the report."""

    key: str
    module: str | None  # params ``modules`` switch (None: always on)
    outputs: tuple[str, ...]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("summary", None, ("TAB-SUM-01", "FIG-SUM-01")),
    Chapter("methodology", None, ("TAB-MET-01", "TAB-MET-02", "TAB-MET-03", "TAB-MET-04")),
    Chapter("context", "context", ("TAB-CTX-01", "FIG-CTX-01", "TAB-CTX-02", "FIG-CTX-02", "FIG-CTX-03",
                                   "FIG-CTX-04", "FIG-CTX-05")),
    Chapter("safety", "safety", tuple(f"FIG-SAF-0{i}" for i in range(1, 7))),
    Chapter("victimisation", "victimisation", ("TAB-VIC-01", "FIG-VIC-01", "FIG-VIC-02", "FIG-VIC-03",
                                               "FIG-VIC-04", "TAB-VIC-02")),
    Chapter("reporting", "reporting", tuple(f"FIG-REP-0{i}" for i in range(1, 5))),
    Chapter("trust", "trust", ("FIG-TRU-01", "FIG-TRU-02")),
    Chapter("corruption", "corruption", ("FIG-COR-01", "FIG-COR-02")),
    Chapter("drugs", "drugs", ("FIG-DRG-01", "FIG-DRG-02")),
    Chapter("vawg", "vawg", ("FIG-GBV-01", "FIG-GBV-02")),
    Chapter("services", "services", ("FIG-SRV-01", "FIG-SRV-02", "FIG-PAR-01", "FIG-PAR-02")),
    Chapter("youth", "youth", ("FIG-YTH-01",)),
    Chapter("qualitative", "qualitative", ("TAB-QUAL-01", "FIG-QUAL-01")),
    Chapter("risk", None, ("TAB-RISK-01", "TAB-RISK-02")),
    Chapter("priorities", None, ("TAB-PRI-01", "TAB-STK-01")),
    Chapter("annex", None, ("TAB-ANX-01", "TAB-ANX-02", "TAB-ANX-03")),
)
#: Outputs added to REPORT.md's list: the weights before and after calibration, which STATISTICS.md asks every
#: report to show.
ADDED_TO_REPORT_MD: tuple[str, ...] = ("TAB-MET-04",)
#: Every output id of REPORT.md (and those added to it), in report order.
OUTPUT_IDS: tuple[str, ...] = tuple(o for c in CHAPTERS for o in c.outputs)
#: The chapters params can switch off (``modules: {drugs: false}``).
MODULES: tuple[str, ...] = tuple(c.module for c in CHAPTERS if c.module)
#: The chapter keys (params ``emphasis``).
CHAPTER_KEYS: tuple[str, ...] = tuple(c.key for c in CHAPTERS)
#: The cross-city comparison report's outputs (not a chapter of the city reports).
COMPARISON_IDS: tuple[str, ...] = ("TAB-CMP-01", "FIG-CMP-01")


def check_output_id(output_id: str) -> str:
    """``output_id`` when it has the form ``FIG-XXX-01`` / ``TAB-XXX-01``, else ``ValueError``.

    Examples
    --------
    >>> check_output_id("FIG-SAF-01")
    'FIG-SAF-01'
    """
    if not ID_PATTERN.match(output_id):
        raise ValueError(f"output id {output_id!r} does not look like FIG-XXX-01 or TAB-XXX-01")
    return output_id


def chapter_of(output_id: str) -> Chapter | None:
    """The chapter an output belongs to: the one listing it, else the one whose ids share its topic part.

    None for an id whose topic no chapter has (``TAB-CMP-01`` of the comparison report).
    """
    topic = check_output_id(output_id).split("-")[1]
    for c in CHAPTERS:
        if output_id in c.outputs:
            return c
    return next((c for c in CHAPTERS if any(o.split("-")[1] == topic for o in c.outputs)), None)
