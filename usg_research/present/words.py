"""Report words in English, Spanish and Russian (``words.yaml``): headings, titles, captions, labels.

Every entry of ``words.yaml`` is a list ``[en, es, ru]``. A missing entry raises
``KeyError`` naming the key: a report never silently falls back to English.

Examples
--------
>>> w = Words("es")
>>> w.chapter("safety"), w.label("safety:very_safe")
('Percepción de seguridad', 'Muy seguro')
>>> w.phrase("not_available", reason="x")
'No disponible para esta área: x'
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii

from ..yamlfile import safe_yaml
from .format import number

LANGUAGES = ("en", "es", "ru")


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, list[str]]]:
    return safe_yaml((Path(__file__).with_name("words.yaml")).read_text(encoding="utf-8"))


class Words:
    """The report text of one language."""

    def __init__(self, language: str):
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r} is not one of {LANGUAGES}")
        self.language = language
        self._i = LANGUAGES.index(language)

    def _get(self, section: str, key: str) -> str:
        try:
            return _table()[section][key][self._i]
        except KeyError:
            raise KeyError(f"usg_research/words.yaml has no {section} entry {key!r}") from None

    def chapter(self, key: str) -> str:
        return self._get("chapters", key)

    def intro(self, key: str) -> str:
        return self._get("intros", key)

    def title(self, output_id: str) -> str:
        return self._get("titles", output_id)

    def phrase(self, key: str, **values: object) -> str:
        return self._get("phrases", key).format(**values)

    def number(self, x: float, decimals: int = 0) -> str:
        """``x`` as the report's language writes numbers (CLDR rules, through Babel).

        Examples
        --------
        >>> [Words(lang).number(14615.25, 1) for lang in ("en", "es", "ru")]
        ['14,615.2', '14.615,2', '14\xa0615,2']
        """
        return number(x, decimals, self.language)

    def label(self, key: str) -> str:
        return self._get("labels", key)

    def has_label(self, key: str) -> bool:
        return key in _table()["labels"]

    def has_phrase(self, key: str) -> bool:
        return key in _table()["phrases"]

    def code(self, scale: str, code: str) -> str:
        """Label of an answer code of a scale."""
        return self.label(f"{scale}:{code}")

    def level(self, domain: str, level: str) -> str:
        """Label of a disaggregation level (sex codes are translated, areas and age bands kept)."""
        if domain == "total":
            return self.label("level:total")
        if domain == "sex":
            return self.label(f"sex:{level}")
        if domain == "youth35":
            return self.phrase("youth_group") if level == "yes" else self.phrase("older_group")
        return self.place(str(level))

    def unit(self, unit: str) -> str:
        """An indicator's unit as the report writes it: ``%``, or its ``unit:<unit>`` label.

        Examples
        --------
        >>> Words("es").unit("percent"), Words("es").unit("per 100,000 adults")
        ('%', 'por 100.000 adultos')
        """
        return "%" if unit == "percent" else self.label(f"unit:{unit}") if self.has_label(f"unit:{unit}") else unit

    def place(self, name: str) -> str:
        """A place name as the report's readers can read it: in a report written in Latin script, a name
        in another script (Tashkent's Cyrillic sub-areas) is given transliterated (anyascii) and as
        written.

        Examples
        --------
        >>> Words("en").place("Квартал 12"), Words("ru").place("Квартал 12"), Words("en").place("Mlango")
        ('Kvartal 12 (Квартал 12)', 'Квартал 12', 'Mlango')
        """
        if self.language == "ru" or not any(unicodedata.name(c, "").startswith("CYRILLIC") for c in name):
            return name
        return f"{anyascii(name)} ({name})"


def sections() -> dict[str, dict[str, list[str]]]:
    """The whole table (for tests: every entry has three non-empty strings)."""
    return _table()
