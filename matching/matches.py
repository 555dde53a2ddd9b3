"""What exactly meets what: word-to-word matches along the industry chain, for true reasons.

A match names the word on each side, the GB/T 4754 大类 each word was mapped onto (a finer
code counts as its 大类), and the
chain steps between them (``matching/data/industry_chain.csv``): 稀土 (09) → 32 → 38 新能源汽车.
A reason may claim a match only if one of these exists; the tests check every claim against
the records and the chain table.
"""

import csv
import itertools
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matching.records import Words, major_codes


@dataclass(frozen=True)
class Match:
    source_word: str
    source_code: str
    target_word: str
    target_code: str
    path: tuple[str, ...]  # codes from source to target; one code when they are the same
    steps: tuple[str, ...] = ()  # the chain table's words for each step ("稀土→稀土冶炼")

    def describe(self) -> str:
        chain = "；".join(self.steps) if self.steps else f"同属行业 {self.source_code}"
        return f"{self.source_word}→{self.target_word}（{chain}）"


@lru_cache
def chain_links() -> dict[tuple[str, str], str]:
    """(upstream 大类, downstream 大类) → the chain table's words for the link."""
    text = (Path(__file__).parent / "data" / "industry_chain.csv").read_text(encoding="utf-8")
    return {(r["upstream"], r["downstream"]): r["why"] for r in csv.DictReader(text.splitlines())}


def _path(source: str, target: str, *, same: bool, two_steps: bool) -> tuple[str, ...] | None:
    links = chain_links()
    if same and source == target:
        return (source,)
    if (source, target) in links:
        return (source, target)
    if two_steps:
        for middle in _successors().get(source, ()):
            if (middle, target) in links:
                return (source, middle, target)
    return None


@lru_cache
def _successors() -> dict[str, tuple[str, ...]]:
    """Each 大类's downstream 大类 in the chain table, in the table's order."""
    found: dict[str, list[str]] = {}
    for up, down in chain_links():
        found.setdefault(up, []).append(down)
    return {up: tuple(downs) for up, downs in found.items()}


def word_matches(
    source: Words, target: Words, *, same: bool, two_steps: bool, limit: int = 3
) -> list[Match]:
    """Matches from ``source`` words to ``target`` words: the same code (if ``same``), or a
    chain link of one (or two) steps. One match per source word, at most ``limit``."""
    links = chain_links()
    found: list[Match] = []
    for word, codes in source:
        match = next(
            (
                Match(word, code, other, other_code, path, _steps(path, links))
                for code in major_codes(codes)
                for other, other_codes in target
                for other_code in major_codes(other_codes)
                if (path := _path(code, other_code, same=same, two_steps=two_steps))
            ),
            None,
        )
        if match:
            found.append(match)
        if len(found) == limit:
            break
    return found


def _steps(path: tuple[str, ...], links: dict[tuple[str, str], str]) -> tuple[str, ...]:
    return tuple(links[(a, b)] for a, b in itertools.pairwise(path))
