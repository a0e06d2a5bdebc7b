"""Guess how a foreign export maps onto the canonical schema (for ``usg-research new-city``).

A guess is made only where it is evident: a column whose (normalised) name is
a canonical variable or one of its known names, and answer labels (SPSS /
Stata value labels, or a CSV column's distinct values) that are known labels
of one answer scale's codes. Known names and labels are declared in
``recognise.yaml`` (plus the en/es/ru report labels of ``words.yaml``).
Everything else is left unmapped and listed; every guess carries a reason for
the analyst to review.

Examples
--------
>>> import pandas as pd
>>> from usg_research.ingest.load import RawTable
>>> raw = RawTable("s.csv", pd.DataFrame({"sexo": ["Mulher", "Homem"], "p7": ["Sim", "Não"]}, dtype=object))
>>> g = guess_table(raw, "respondent")
>>> g.by_column["sexo"].variable, g.by_column["sexo"].codes
('sex', {'Mulher': 'female', 'Homem': 'male'})
>>> g.by_column["p7"].variable, g.by_column["p7"].scale
(None, 'yesno')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..ingest.load import RawTable
from ..ingest.schema import SCALES, TABLES
from ..present.words import LANGUAGES, sections
from ..yamlfile import safe_yaml

#: A CSV column with at most this many distinct values is read as labelled answers.
MAX_CSV_CODES = 30


def normalise(text: str) -> str:
    """Lower case, accents dropped, gendered endings ``(a)`` / ``(o)`` dropped, runs of non-letters -> one space.

    Examples
    --------
    >>> normalise("  Não sai sozinho(a) à noite ")
    'nao sai sozinho a noite'
    """
    t = unicodedata.normalize("NFKD", str(text))
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).lower()
    t = re.sub(r"\((a|o|as|os|e)\)", "", t)
    t = re.sub(r"[^\w']+", " ", t).replace("_", " ")
    return " ".join(t.split())


def name_key(name: str) -> str:
    """A column name normalised for matching (``"Data Entrevista"`` -> ``"data_entrevista"``)."""
    return normalise(name).replace("'", "").replace(" ", "_")


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    """Known column names, answer labels and missing labels (``recognise.yaml`` + words.yaml labels)."""
    data = safe_yaml(Path(__file__).with_name("recognise.yaml").read_text(encoding="utf-8"))
    names: dict[str, dict[str, str]] = {}
    for table, variables in data["names"].items():
        names[table] = {name_key(v): v for v in TABLES[table].names}
        for var, aliases in variables.items():
            for a in aliases:
                names[table].setdefault(name_key(a), var)
    labels: dict[str, set[tuple[str, str]]] = {}

    def add(label: str, scale: str, code: str) -> None:
        labels.setdefault(normalise(label), set()).add((scale, code))

    for key, entries in data["labels"].items():
        scale, code = key.split(":")
        for e in entries:
            add(e, scale, code)
    for key, entries in sections()["labels"].items():
        scale, _, code = key.partition(":")
        if scale in SCALES and code in SCALES[scale]:
            for e in entries[: len(LANGUAGES)]:
                add(e, scale, code)
    for scale, codes in SCALES.items():  # the canonical code and its plain-words form
        for code in codes:
            add(code, scale, code)
    missing = {normalise(e): code for code, entries in data["missing"].items() for e in entries}
    return {"names": names, "labels": labels, "missing": missing}


@dataclass
class ColumnGuess:
    """What was recognised in one raw column."""

    column: str
    question: str = ""
    variable: str | None = None
    scale: str | None = None
    reasons: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # raw code -> canonical code of `scale`
    missing: dict[str, str] = field(default_factory=dict)  # raw code -> dk / refused / na
    unmatched: dict[str, str] = field(default_factory=dict)  # raw code -> its label, not recognised
    labelled: bool = False  # answers come with labels (SPSS/Stata value labels or CSV text values)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass
class TableGuess:
    """Guesses for every column of one raw table, in file order."""

    table: str
    file: str
    rows: int
    columns: list[ColumnGuess]

    @property
    def by_column(self) -> dict[str, ColumnGuess]:
        return {c.column: c for c in self.columns}

    @property
    def mapped(self) -> dict[str, ColumnGuess]:
        """Canonical variable -> the column guessed for it."""
        return {c.variable: c for c in self.columns if c.variable}

    @property
    def unmapped(self) -> list[ColumnGuess]:
        return [c for c in self.columns if not c.variable]


def _answer_labels(raw: RawTable, column: str) -> dict[str, str] | None:
    """Code -> label of a column's answers (value labels; for text files, the distinct values)."""
    if column in raw.labels:
        return dict(raw.labels[column])
    if raw.labels or raw.user_missing:  # a labelled file: an unlabelled column holds numbers or text
        return None
    values = [v for v in pd.unique(raw.data[column].map(str.strip)) if v != ""]
    if not values or len(values) > MAX_CSV_CODES:
        return None
    if all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values):
        return None  # numbers without labels: counts, ages, codes nobody labelled
    return {v: v for v in values}


def _recognise_labels(guess: ColumnGuess, labels: dict[str, str], declared_missing: list[str],
                      scales: list[str]) -> None:
    vocab = vocabulary()
    candidates: dict[str, dict[str, str]] = {s: {} for s in scales}
    answer_codes: list[str] = []
    for code, label in labels.items():
        key = normalise(label)
        miss = vocab["missing"].get(key)
        if miss is not None and (code in declared_missing or not declared_missing):
            guess.missing[code] = miss
            continue
        if code in declared_missing:
            guess.unmatched[code] = label  # declared missing in the file, label not recognised
            continue
        answer_codes.append(code)
        for scale, canon in vocab["labels"].get(key, ()):
            if scale in candidates and canon not in candidates[scale].values():
                candidates[scale][code] = canon
    for code in declared_missing:
        if code not in labels:
            guess.unmatched.setdefault(code, "(declared missing in the file, no label)")
    if not answer_codes:
        return
    ranked = sorted(((len(m) / len(answer_codes), len(m) / len(SCALES[s]), s) for s, m in candidates.items()
                     if len(m) >= min(2, len(SCALES[s]))), reverse=True)
    if not ranked or ranked[0][0] < 0.5:
        return  # not answers of a known scale (or not answers at all: names, places, offences)
    if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
        guess.reasons.append(f"labels fit scales {ranked[0][2]} and {ranked[1][2]} equally: not guessed")
        return
    scale = ranked[0][2]
    guess.scale = scale
    guess.codes = candidates[scale]
    guess.unmatched.update({c: labels[c] for c in answer_codes if c not in guess.codes})
    guess.reasons.append(f"answer labels fit scale {scale}")


def guess_table(raw: RawTable, table: str) -> TableGuess:
    """Guess the canonical variable, answer scale and codes of every column of a raw table.

    Parameters
    ----------
    raw : the export as read by :func:`usg_research.ingest.load.read_raw`.
    table : canonical table (``respondent``, ``incident``, ``population``, ``qualitative``).
    """
    canonical = TABLES[table]
    scales = sorted({v.scale for v in canonical.variables if v.scale})
    names = vocabulary()["names"].get(table, {name_key(v): v for v in canonical.names})
    by_scale: dict[str, list[str]] = {}
    for v in canonical.variables:
        if v.scale:
            by_scale.setdefault(v.scale, []).append(v.name)
    guesses: list[ColumnGuess] = []
    for col in raw.data.columns:
        g = ColumnGuess(col, raw.column_labels.get(col, ""))
        labels = _answer_labels(raw, col)
        declared = raw.user_missing.get(col, [])
        if labels is not None or declared:
            g.labelled = labels is not None and any(c not in declared for c in labels)
            _recognise_labels(g, labels or {}, declared, scales)
        var = names.get(name_key(col))
        if var is not None:
            g.variable = var
            g.reasons.insert(0, f"column name {col!r} is a known name of {var}"
                             if name_key(col) != var else "column name is the canonical name")
            want = canonical[var].scale
            if g.scale and want and g.scale != want:
                g.reasons.append(f"but {var} uses scale {want}: check the codes")
        elif g.scale and len(by_scale.get(g.scale, [])) == 1:
            g.variable = by_scale[g.scale][0]
        if g.variable is not None and canonical[g.variable].kind != "cat":
            g.scale, g.codes, g.labelled = None, {}, False  # numbers, text, dates: only missing codes apply
            g.unmatched = {c: lab for c, lab in g.unmatched.items() if c in declared}
            g.reasons = g.reasons[:1]
        elif g.variable is not None and g.scale is None and labels:
            g.unmatched.update({c: lab for c, lab in labels.items() if c not in g.missing})
        guesses.append(g)
    # one column per variable: name matches win over label matches; two of a kind -> neither
    for var in {g.variable for g in guesses if g.variable}:
        claim = [g for g in guesses if g.variable == var]
        if len(claim) == 1:
            continue
        by_name = [g for g in claim if "name" in g.reasons[0]]
        keep = by_name[0] if len(by_name) == 1 else None
        for g in claim:
            if g is not keep:
                g.variable = None
                g.reasons.append(f"{var} also fits column(s) "
                                 f"{', '.join(repr(o.column) for o in claim if o is not g)}: not guessed")
    return TableGuess(table, raw.file, len(raw.data), guesses)


def scale_variables(table: str, scale: str) -> list[str]:
    """The canonical variables of ``table`` that use ``scale`` (hints for unmapped columns)."""
    return [v.name for v in TABLES[table].variables if v.scale == scale]


__all__ = ["ColumnGuess", "TableGuess", "guess_table", "name_key", "normalise", "scale_variables", "vocabulary"]
