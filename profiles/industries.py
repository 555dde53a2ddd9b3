"""GB/T 4754-2017 industry codes, and the one path from words to codes.

The taxonomy is the whole standard, 门类 A–T, 大类, 中类 and 小类
(``fixtures/reference/gbt4754_2017.csv``, with its README). Words reach codes through
``matching.industry_words.IndustryWordResolver``, fitted here once on the standard's names and
the editorial synonym table (``matching/data/industry_synonyms.csv``).
"""

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from matching.industry_words import IndustryWordResolver, WordResolution, load_synonyms, major_of

_SPLIT = re.compile(r"[|｜/、,，;；与和及]+")
_BRACKETS = re.compile(r"[(（][^)）]*[)）]")
LEVELS = ("门类", "大类", "中类", "小类")
MEMO_SIZE = 65_536  # answers kept; bounded, since words come from requests


@dataclass(frozen=True)
class IndustryEntry:
    code: str
    name: str
    level: str  # 门类 | 大类 | 中类 | 小类
    parent: str | None
    section: str


def read_standard() -> list[IndustryEntry]:
    text = (
        resources.files("fixtures")
        .joinpath("reference", "gbt4754_2017.csv")
        .read_text(encoding="utf-8-sig")
    )
    return [
        IndustryEntry(r["code"], r["name"], r["level"], r["parent"] or None, r["section"])
        for r in csv.DictReader(text.splitlines())
    ]


class IndustryCatalogue:
    """The standard's codes and the fitted word resolver (recent answers are kept)."""

    def __init__(self) -> None:
        self.entries = read_standard()
        self.by_code = {e.code: e for e in self.entries}
        self.synonyms = load_synonyms()
        self.resolver = IndustryWordResolver().fit(
            [(e.code, e.name) for e in self.entries], self.synonyms
        )
        self._resolve = lru_cache(maxsize=MEMO_SIZE)(self.resolver.resolve)

    def is_code(self, code: str) -> bool:
        return code in self.by_code

    def major(self, code: str) -> str | None:
        """The 大类 a code rolls up to (None for a 门类)."""
        return major_of(code) if code in self.by_code else None

    def keywords_for(self, code: str) -> list[str]:
        """The synonym table's words for ``code``."""
        return [word for word, codes in self.synonyms if code in codes]

    def resolve(self, word: str) -> WordResolution:
        return self._resolve(word)

    def resolve_noted(self, word: str) -> WordResolution:
        """``word`` read without its bracketed note: 锂(锂云母) is 锂, of lithium mica."""
        return self.resolve(_BRACKETS.sub("", word).strip() or word)

    def codes_for(self, text: str) -> list[str]:
        """The codes an industry word or phrase names confidently (empty when unsure)."""
        codes: list[str] = []
        for part in _SPLIT.split(_BRACKETS.sub("", text)):
            if part.strip():
                codes.extend(self.resolve(part.strip()).codes)
        return list(dict.fromkeys(codes))

    def search(self, query: str, *, limit: int = 10) -> list[tuple[str, str, float]]:
        """``(code, name, score)`` for industries matching ``query``, best first."""
        return [(c.code, c.name, c.score) for c in self.resolve(query).candidates[:limit]]


@lru_cache
def industry_catalogue() -> IndustryCatalogue:
    return IndustryCatalogue()
