"""GB/T 4754-2017 industry codes and the map from everyday industry words onto them.

The taxonomy (门类 A–T, 大类 01–97) is the standard's; the keyword map
(``fixtures/data/industry_keywords.csv``) is our editorial table from the words used in the
catalogue ("电子信息", "稀土", "新能源汽车" …) onto 大类 codes. Words not in the table are
matched fuzzily against the table and the standard's own names.
"""

import csv
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from profiles.names import Candidate, NameIndex, normalise

_SPLIT = re.compile(r"[|｜/、,，;；与和及]+")
_BRACKETS = re.compile(r"[(（][^)）]*[)）]")


@dataclass(frozen=True)
class IndustryEntry:
    code: str
    name: str
    section: str


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("fixtures").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


class IndustryCatalogue:
    """The standard's codes plus the keyword table, with exact and fuzzy lookup."""

    def __init__(self) -> None:
        self.entries = [
            IndustryEntry(r["code"], r["name"], r["section"]) for r in _read("gbt4754.csv")
        ]
        self.by_code = {e.code: e for e in self.entries}
        self.keywords: dict[str, list[str]] = {
            normalise(r["keyword"]): r["codes"].split("|") for r in _read("industry_keywords.csv")
        }
        self._memo: dict[str, list[str]] = {}
        self.keyword_text = {
            normalise(r["keyword"]): r["keyword"] for r in _read("industry_keywords.csv")
        }

    @cached_property
    def _index(self) -> NameIndex:
        words = list(self.keyword_text.values()) + [e.name for e in self.entries]
        return NameIndex(words, with_pinyin=False)

    def is_code(self, code: str) -> bool:
        return code in self.by_code

    def keywords_for(self, code: str) -> list[str]:
        return [self.keyword_text[k] for k, codes in self.keywords.items() if code in codes]

    def codes_for(self, text: str) -> list[str]:
        """The 大类 codes an industry word or phrase names (empty when nothing fits)."""
        codes: list[str] = []
        for part in _SPLIT.split(_BRACKETS.sub("", text)):
            codes.extend(self._codes_for_word(part))
        return list(dict.fromkeys(codes))

    def _codes_for_word(self, word: str) -> list[str]:
        key = normalise(word)
        if key not in self._memo:
            self._memo[key] = self._lookup(key, word)
        return self._memo[key]

    def _lookup(self, key: str, word: str) -> list[str]:
        if not key:
            return []
        if key in self.keywords:
            return self.keywords[key]
        if key.upper() in self.by_code or key in self.by_code:
            return [key.upper() if key.isalpha() else key]
        # Longest keyword contained in the word: 赣南脐橙 → 脐橙, 稀土新材料产业 → 稀土新材料.
        contained = [k for k in self.keywords if len(k) >= 2 and k in key]
        if contained:
            return self.keywords[max(contained, key=len)]
        found = self.search(word, limit=1, cutoff=75)
        return [found[0][0]] if found else []

    def search(
        self, query: str, *, limit: int = 10, cutoff: float = 50
    ) -> list[tuple[str, str, float]]:
        """``(code, name, score)`` for industries matching ``query``, best first."""
        key = normalise(query)
        if key.upper() in self.by_code:
            entry = self.by_code[key.upper()]
            return [(entry.code, entry.name, 100.0)]
        if key in self.by_code:
            return [(key, self.by_code[key].name, 100.0)]
        results: dict[str, tuple[str, str, float]] = {}
        for candidate in self._index.search(query, limit=limit * 2, cutoff=cutoff):
            for code, name in self._expand(candidate):
                if code not in results:
                    results[code] = (code, name, candidate.score)
        return list(results.values())[:limit]

    def _expand(self, candidate: Candidate) -> list[tuple[str, str]]:
        keyword_count = len(self.keyword_text)
        if candidate.index < keyword_count:
            codes = self.keywords[normalise(candidate.name)]
            return [(c, self.by_code[c].name) for c in codes]
        entry = self.entries[candidate.index - keyword_count]
        return [(entry.code, entry.name)]


@lru_cache
def industry_catalogue() -> IndustryCatalogue:
    return IndustryCatalogue()
