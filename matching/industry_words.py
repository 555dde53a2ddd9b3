"""Words to GB/T 4754-2017 codes: product, material and service words onto the standard.

``IndustryWordResolver`` is fitted once on the standard's names (门类 … 小类) and an editorial
synonym table of everyday words (``matching/data/industry_synonyms.csv``: 锂电 → 3841,
PCB → 3982 …). A word is placed in tiers, the first that answers wins:

1. a code as written (``3841``, ``38``, ``C``);
2. exactly a synonym or a name of the standard, with or without its suffix
   (锂离子电池 is 锂离子电池制造), or exactly one item of a name's list (肥皂 in 肥皂及洗涤剂制造);
3. the synonyms and names the word contains, the longer the better, and better still at its
   end, where a Chinese compound keeps its head word (汽车维修 is 维修, 赣南脐橙 is 脐橙);
4. similarity: Chinese character n-gram TF-IDF (1–3 characters) beside rapidfuzz, over every
   name and synonym. Only a near-identical spelling answers from here; the rest are candidates.

It asks rather than guesses: the answer (``codes``) is empty, and the candidates are all there
is, when the best candidate scores below ``min_score`` or another 大类 comes within ``margin``
of it. Candidates of one 大类 that tie give their common parent (电池 → 384 电池制造).
"""

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import takewhile
from pathlib import Path
from typing import Self

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOISE = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
_BRACKETED = re.compile(r"[(（][^)）]*[)）]")
_LIST = re.compile(r"[、，,和及与]")
# Endings that name the activity rather than the thing: 锂离子电池制造 is about 锂离子电池.
_SUFFIXES = (
    "生产和供应业",
    "生产和供应",
    "制造业",
    "加工业",
    "服务业",
    "制造",
    "加工",
    "生产",
    "服务",
    "种植",
    "养殖",
    "饲养",
    "采选",
    "开采",
    "活动",
    "产业",
    "行业",
    "业",
)
# A query loses only endings that say "the industry of": 油田服务 is not 油田.
_QUERY_SUFFIXES = ("制造业", "制造", "加工", "生产", "产业", "行业", "业")
# Items of a name's list too vague to name a class on their own.
_VAGUE = {"其他", "类似制品", "配件", "零件", "零部件", "附件", "器材", "设备", "制品", "用品"}
TYPO_SCORE = 85.0  # one character off a known word of five or more
SUGGESTION_MAX = 79.0  # similarity alone stays below the answer threshold
FLOOR = 30.0  # candidates below this are noise, not suggestions
VIAS = ("code", "synonym", "name", "part", "contains", "similar")  # how a word matched
CODE = re.compile(r"^([A-Ta-t]|\d{2}|\d{3}|\d{4})$")


def normalise(text: str) -> str:
    """NFKC, lower case, no spaces, punctuation or brackets' contents kept as text."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


def stem(text: str, suffixes: tuple[str, ...] = _SUFFIXES) -> str:
    """``text`` without one activity suffix (锂离子电池制造 → 锂离子电池), if anything is left."""
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            return text[: -len(suffix)]
    return text


def major_of(code: str) -> str | None:
    """The 大类 a 大类, 中类 or 小类 code rolls up to (``3841`` → ``38``); None for a 门类."""
    return code[:2] if code[:2].isdigit() else None


@dataclass(frozen=True)
class IndustryCandidate:
    code: str
    name: str
    score: float  # 0–100
    via: str  # code | synonym | name | part | contains | similar
    matched: str  # the synonym or name that matched


@dataclass(frozen=True)
class WordResolution:
    """How one word was placed: ``codes`` is the answer (empty when unsure)."""

    word: str
    codes: tuple[str, ...]
    candidates: tuple[IndustryCandidate, ...]

    @property
    def certain(self) -> bool:
        return bool(self.codes)


@dataclass(frozen=True)
class _Entry:
    text: str  # normalised
    codes: tuple[str, ...]
    via: str  # synonym | name | part
    shown: str  # as written


class IndustryWordResolver(BaseEstimator):
    """Estimator-style: ``fit`` on the standard and the synonyms once, then ``resolve`` words."""

    def __init__(
        self,
        *,
        min_score: float = 80.0,
        margin: float = 6.0,
        ngram_range: tuple[int, int] = (1, 3),
        neighbours: int = 20,
        head_weight: float = 0.3,
        class_weight: float = 3.0,
        temperature: float = 0.2,
        veto: float | None = 0.5,
        limit: int = 8,
    ) -> None:
        self.min_score = min_score
        self.margin = margin
        self.ngram_range = ngram_range
        self.neighbours = neighbours
        self.head_weight = head_weight
        self.class_weight = class_weight
        self.temperature = temperature
        self.veto = veto
        self.limit = limit

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        standard: Iterable[tuple[str, str]],
        synonyms: Iterable[tuple[str, Sequence[str]]] = (),
    ) -> Self:
        """``standard``: (code, name) of every class; ``synonyms``: (word, codes)."""
        self.names_ = {code: name for code, name in standard}
        entries: list[_Entry] = []
        for word, codes in synonyms:
            unknown = [c for c in codes if c not in self.names_]
            if unknown:
                raise ValueError(f"synonym '{word}' names unknown codes {unknown}")
            entries.append(_Entry(normalise(word), tuple(codes), "synonym", word))
        for code, name in self.names_.items():
            entries.extend(_name_entries(code, name))
        self.entries_ = [e for e in entries if e.text]
        self.exact_ = _group(self.entries_)
        texts = [e.text for e in self.entries_]
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True
        )
        self.matrix_ = sparse.csr_matrix(self.vectorizer_.fit_transform(texts))
        self.texts_ = texts
        self.heads_ = _head_shares(self.entries_)
        self._fit_classes()
        return self

    def _fit_classes(self) -> None:
        """A linear model from a word's characters to its 大类, learned from every fitted word
        and name stem (one row per 大类 it names). Character 1–2-grams with the word's two ends
        marked, so the head (…机, …镜, …油) weighs as an ending, not as any character."""
        texts, labels = [], []
        for entry in self.entries_:
            text = stem(entry.text) if entry.via == "name" else entry.text
            for major in sorted({major_of(c) for c in entry.codes} - {None}):
                texts.append(_ends(text))
                labels.append(major)
        self.class_vectorizer_ = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 2), sublinear_tf=True
        )
        features = self.class_vectorizer_.fit_transform(texts)
        self.classes_model_ = (
            LinearSVC(C=1.0, tol=1e-2, max_iter=200, random_state=0).fit(features, labels)
            if len(set(labels)) > 2
            else None
        )

    # ------------------------------------------------------------------ resolve
    def resolve(self, word: str) -> WordResolution:
        """The codes ``word`` names (or none, when unsure) and the candidates, best first."""
        check_is_fitted(self, "entries_")
        candidates = self.candidates(word)
        return WordResolution(word, self._decide(candidates), tuple(candidates[: self.limit]))

    def candidates(self, word: str) -> list[IndustryCandidate]:
        text = normalise(word)
        if not text:
            return []
        if CODE.match(text) and (code := text.upper() if text.isalpha() else text) in self.names_:
            return [IndustryCandidate(code, self.names_[code], 100.0, "code", code)]
        key_form = stem(text, _QUERY_SUFFIXES)
        for key in dict.fromkeys((text, key_form)):
            if key in self.exact_:
                return self._exact(self.exact_[key])
        similar, votes = self._similar(text)
        scored = self._contained(key_form) + similar
        best: dict[str, IndustryCandidate] = {}
        for candidate in sorted(scored, key=lambda c: (-c.score, c.code)):
            if candidate.score >= FLOOR:
                best.setdefault(candidate.code, candidate)
        found = list(best.values())
        if found and found[0].score >= self.min_score and self._overruled(found[0], key_form):
            found = [replace(c, score=min(c.score, SUGGESTION_MAX)) for c in found]
        if not found or found[0].score < self.min_score:
            found = self._suggest(found, votes, key_form)
        return found

    def _overruled(self, first: IndustryCandidate, text: str) -> bool:
        """A head word found inside ``text`` answers unless the linear model, reading the whole
        word, gives another 大类 at least ``veto`` of its weight: 航空发动机 holds 发动机 (34)
        but reads as aircraft (37, 56). A head naming several 大类 (新材料: 26, 30, 32) is
        weighed by all of them: none of them is "another"."""
        if first.via != "contains" or self.veto is None:
            return False
        classes = self._classes(text)
        meant = self._synonym_codes(first.matched) or (first.code,)
        for major in {major_of(c) for c in meant}:
            classes.pop(major or "", None)
        return max(classes.values(), default=0.0) >= self.veto

    def _classes(self, text: str) -> dict[str, float]:
        """The linear model's 大类 for ``text`` as shares summing to one (softmax)."""
        if self.classes_model_ is None:
            return {}
        scores = self.classes_model_.decision_function(
            self.class_vectorizer_.transform([_ends(text)])
        )
        scores = np.asarray(scores).ravel() / self.temperature
        shares = np.exp(scores - scores.max())
        shares /= shares.sum()
        top = np.argsort(-shares)[:10]
        return {str(self.classes_model_.classes_[i]): float(shares[i]) for i in top}

    def _suggest(
        self, found: list[IndustryCandidate], votes: dict[str, float], text: str
    ) -> list[IndustryCandidate]:
        """No answer: suggest by what the nearest entries agree on, by what words ending in the
        same character (机, 剂, 布 …) belong to, and by the linear model of characters to 大类:
        the best code of each 大类, in vote order."""
        head = text[-1]
        total = sum(votes.values()) or 1.0
        votes = {m: v / total for m, v in votes.items()}
        for major, share in self.heads_.get(head, {}).items() if _CJK.match(head) else ():
            votes[major] = votes.get(major, 0.0) + self.head_weight * share
        for major, share in self._classes(text).items():
            votes[major] = votes.get(major, 0.0) + self.class_weight * share
        known = {major_of(c.code) for c in found}
        top = max(votes.values(), default=1.0) or 1.0
        found = found + [
            IndustryCandidate(
                m, self.names_[m], SUGGESTION_MAX * v / top, "similar", self.names_[m]
            )
            for m, v in votes.items()
            if m not in known and m in self.names_ and v >= 0.1 * top
        ]
        found.sort(key=lambda c: -votes.get(major_of(c.code) or "", 0.0))
        leaders = list({major_of(c.code): c for c in found[::-1]}.values())
        leaders.sort(key=found.index)
        return leaders + [c for c in found if c not in leaders]

    def _exact(self, entries: list[_Entry]) -> list[IndustryCandidate]:
        """An exact hit: a synonym's codes (as meant), else the names' (parts score less)."""
        tier = _first_tier(entries)
        score = 95.0 if tier[0].via == "part" else 100.0
        codes = _coarsest([c for e in tier for c in e.codes])
        return [
            IndustryCandidate(c, self.names_[c], score, tier[0].via, tier[0].shown) for c in codes
        ]

    def _contained(self, text: str) -> list[IndustryCandidate]:
        """Synonyms and names inside ``text``. Only a head word (at the end, two characters or
        more) can score high enough to answer: 饮料灌装机 holds 饮料 but is a machine."""
        found = []
        for size in range(len(text) - 1, 0, -1):
            for start in range(len(text) - size + 1):
                head = start + size == len(text) and size >= 2
                for entry in _first_tier(self.exact_.get(text[start : start + size], [])):
                    strong = head and entry.via != "part"  # 管道 of 管道和设备安装 is not a head
                    score = (78.0 if strong else 50.0) + 25.0 * size / len(text)
                    found.extend(
                        IndustryCandidate(c, self.names_[c], score, "contains", entry.shown)
                        for c in entry.codes
                    )
        return found

    def _similar(
        self, text: str, top: int = 40
    ) -> tuple[list[IndustryCandidate], dict[str, float]]:
        """TF-IDF cosine and rapidfuzz, averaged, over the entries either finds near; and the
        votes of the ``neighbours`` nearest entries for their 大类 (cosine cubed, summed)."""
        query = self.vectorizer_.transform([text])
        cosine = np.asarray((self.matrix_ @ query.T).todense()).ravel()
        order = np.argpartition(-cosine, min(top, len(cosine) - 1))[:top]
        near = set(order.tolist())
        fuzzy = process.extract(text, self.texts_, scorer=fuzz.WRatio, limit=top)
        near.update(index for _, _, index in fuzzy)
        rows = np.fromiter(near, dtype=np.int64)
        ratios = np.array([fuzz.WRatio(text, self.texts_[i]) for i in rows]) / 100.0
        scores = 90.0 * (0.5 * cosine[rows] + 0.5 * ratios)
        # Only a near-identical spelling (a typo) may answer; anything else is a suggestion.
        typo = np.array([_typo(text, self.texts_[i]) for i in rows], dtype=bool)
        scores = np.where(typo, np.maximum(scores, TYPO_SCORE), np.minimum(scores, SUGGESTION_MAX))
        votes: dict[str, float] = {}
        for i in order[np.argsort(-cosine[order])][: self.neighbours].tolist():
            for major in {major_of(c) for c in self.entries_[i].codes} - {None}:
                votes[major] = votes.get(major, 0.0) + float(cosine[i]) ** 3
        candidates = [
            IndustryCandidate(c, self.names_[c], float(s), "similar", self.entries_[i].shown)
            for i, s in zip(rows.tolist(), scores.tolist(), strict=True)
            for c in self.entries_[i].codes
        ]
        return candidates, votes

    def _decide(self, candidates: list[IndustryCandidate]) -> tuple[str, ...]:
        """The confident answer, or () when the best is weak or another 大类 is close."""
        if not candidates or candidates[0].score < self.min_score:
            return ()
        top = candidates[0].score
        if candidates[0].via in ("code", "synonym", "name"):
            return tuple(c.code for c in candidates if c.score == top)
        close = [c for c in candidates if c.score >= top - self.margin]
        meant = self._synonym_codes(candidates[0].matched)
        if meant and {major_of(c.code) for c in close} <= {major_of(c) for c in meant}:
            return meant  # a synonym naming several codes, as the table means it
        majors = {major_of(c.code) for c in close}
        if len(majors) > 1:
            return ()
        codes = [c.code for c in close]
        shared = takewhile(lambda chars: len(set(chars)) == 1, zip(*codes, strict=False))
        parent = "".join(chars[0] for chars in shared)
        return (parent,) if len(codes) > 1 and parent in self.names_ else (codes[0],)

    def _synonym_codes(self, word: str) -> tuple[str, ...]:
        synonyms = [e for e in self.exact_.get(normalise(word), ()) if e.via == "synonym"]
        return tuple(dict.fromkeys(c for e in synonyms for c in e.codes))


def _name_entries(code: str, name: str) -> list[_Entry]:
    """A name, its form without bracketed words and suffix, and the items of its list."""
    plain = _BRACKETED.sub("", name)
    texts = (normalise(name), normalise(plain), normalise(stem(plain)))
    entries = [_Entry(text, (code,), "name", name) for text in dict.fromkeys(texts)]
    if _LIST.search(plain):
        for item in _LIST.split(stem(plain)):
            item = normalise(item)
            if len(item) >= 2 and item not in _VAGUE and item not in texts:
                entries.append(_Entry(item, (code,), "part", name))
    return entries


def _ends(text: str) -> str:
    return f"^{text}$"


def _typo(text: str, other: str) -> bool:
    """One character replaced in a word of five or more (锂离子电他 for 锂离子电池); shorter
    words differing by a character are usually other words (不锈钢锅, 不锈钢板)."""
    return len(text) == len(other) >= 5 and Levenshtein.distance(text, other) == 1


def _head_shares(entries: list[_Entry]) -> dict[str, dict[str, float]]:
    """For each last character of the fitted words and name stems, the share of each 大类
    among the words ending in it (机 → mostly 34 and 35, 剂 → 26): learned, not written."""
    counts: dict[str, dict[str, float]] = {}
    for entry in entries:
        text = stem(entry.text) if entry.via == "name" else entry.text
        majors = {major_of(c) for c in entry.codes} - {None}
        for major in majors:
            shares = counts.setdefault(text[-1], {})
            shares[major] = shares.get(major, 0.0) + 1.0 / len(majors)  # type: ignore[index]
    return {
        head: {m: n / sum(shares.values()) for m, n in shares.items()}
        for head, shares in counts.items()
    }


def _first_tier(entries: list[_Entry]) -> list[_Entry]:
    """Of the entries sharing one text, the synonyms if any, else the names, else the parts."""
    for via in ("synonym", "name", "part"):
        tier = [e for e in entries if e.via == via]
        if tier:
            return tier
    return entries


def _group(entries: list[_Entry]) -> dict[str, list[_Entry]]:
    grouped: dict[str, list[_Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.text, []).append(entry)
    return grouped


def _coarsest(codes: list[str]) -> list[str]:
    """Distinct codes, dropping any whose parent (a prefix) is also there: 019 over 0190."""
    unique = list(dict.fromkeys(codes))
    return [c for c in unique if not any(o != c and c.startswith(o) for o in unique)]


def load_synonyms() -> list[tuple[str, tuple[str, ...]]]:
    """The editorial synonym table: (word, codes) rows of ``data/industry_synonyms.csv``."""
    text = (Path(__file__).parent / "data" / "industry_synonyms.csv").read_text(encoding="utf-8")
    return [(r["word"], tuple(r["codes"].split("|"))) for r in csv.DictReader(text.splitlines())]
