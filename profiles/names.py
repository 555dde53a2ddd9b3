"""Tolerant name resolution: Chinese, pinyin, typos and near-duplicate organisation names.

A ``NameIndex`` holds every key of every entity (full name, short name, aliases, and their
pinyin) and scores a query against all of them in one rapidfuzz ``cdist`` call; an entity's
score is the best of its keys. Names are normalised once, explicitly (rapidfuzz ≥ 3 applies no
processor by default).
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pypinyin import lazy_pinyin, load_phrases_dict
from rapidfuzz import fuzz, process

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOISE = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
_ETHNIC = (
    "土家|苗|侗|布依|壮|彝|藏|回|维吾尔|哈萨克|蒙古|朝鲜|傣|景颇|傈僳|白|哈尼|纳西|羌|黎|瑶|"
    "柯尔克孜|满|畲|仫佬|毛南|仡佬|水|拉祜|佤|普米|独龙|怒|鄂温克|达斡尔|锡伯|撒拉|保安|东乡|裕固|土"
)
_AUTONOMOUS = re.compile(rf"^(.+?)(?:(?:{_ETHNIC})族)*自治(州|区|县|旗)$")
_SUFFIXES = ("特别行政区", "林区", "地区", "新区", "省", "市", "盟", "县", "区", "州", "旗")
# A pinyin echo of a Chinese query counts for a little less than the characters themselves,
# so "赣洲" still reaches 赣州 but an exact Chinese match always wins.
PINYIN_WEIGHT = 0.92
ACCEPT_SCORE = 80.0

# Place names whose characters are read differently from their everyday reading.
load_phrases_dict(
    {
        name: [[syllable] for syllable in reading.split()]
        for name, reading in {
            "长治": "cháng zhì",
            "长沙": "cháng shā",
            "长春": "cháng chūn",
            "长汀": "cháng tīng",
            "长兴": "cháng xīng",
            "长安": "cháng ān",
            "六安": "lù ān",
            "丽水": "lí shuǐ",
            "蚌埠": "bèng bù",
            "厦门": "xià mén",
            "亳州": "bó zhōu",
            "番禺": "pān yú",
            "乐山": "lè shān",
            "单县": "shàn xiàn",
            "莘县": "shēn xiàn",
            "铅山": "yán shān",
            "歙县": "shè xiàn",
            "大埔": "dà bù",
            "东阿": "dōng ē",
            "台州": "tāi zhōu",
            "重庆": "chóng qìng",
            "长寿": "cháng shòu",
            "长白": "cháng bái",
            "长岭": "cháng lǐng",
        }.items()
    }
)


def normalise(text: str) -> str:
    """NFKC, lower case, no spaces or punctuation: the form every comparison uses."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@lru_cache(maxsize=65536)
def to_pinyin(text: str) -> str:
    """Toneless pinyin of the Chinese characters, joined (赣州市 → ganzhoushi)."""
    return normalise("".join(lazy_pinyin(text)))


def short_name(name: str) -> str:
    """The everyday short form: 赣州市 → 赣州, 恩施土家族苗族自治州 → 恩施, 广西壮族自治区 → 广西."""
    match = _AUTONOMOUS.match(name)
    if match:
        return match.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def place_aliases(name: str) -> list[str]:
    """Other names people use for a division: 恩施州 for 恩施土家族苗族自治州, 黔东南州 …"""
    short = short_name(name)
    aliases = [short]
    match = _AUTONOMOUS.match(name)
    if match:
        aliases.append(short + match.group(2))
    return [alias for alias in aliases if alias != name]


@dataclass(frozen=True)
class Candidate:
    index: int
    name: str
    score: float
    rank_hint: float = 0.0


class NameNotFound(LookupError):
    def __init__(self, query: str) -> None:
        super().__init__(f"no name matches '{query}'")
        self.query = query


class AmbiguousName(LookupError):
    def __init__(self, query: str, candidates: list[Candidate]) -> None:
        names = "、".join(c.name for c in candidates)
        super().__init__(f"'{query}' is ambiguous: {names}")
        self.query = query
        self.candidates = candidates


class NameIndex:
    """All keys of all entities of one kind, scored against a query in one vectorised call.

    ``priority`` breaks ties between equally good matches (a prefecture before a county of the
    same name); it never lifts a worse match over a better one.
    """

    def __init__(
        self,
        names: Sequence[str],
        *,
        aliases: Sequence[Sequence[str]] | None = None,
        priority: Sequence[float] | None = None,
        with_pinyin: bool = True,
    ) -> None:
        self.names = list(names)
        self.priority = np.asarray(priority if priority is not None else [0.0] * len(names))
        keys: list[str] = []
        owners: list[int] = []
        for i, name in enumerate(self.names):
            extra = aliases[i] if aliases is not None else ()
            for key in dict.fromkeys(normalise(k) for k in (name, *extra)):
                if key:
                    keys.append(key)
                    owners.append(i)
        self._keys = keys
        self._owners = np.asarray(owners, dtype=np.int64)
        self._pinyin = [to_pinyin(k) if has_cjk(k) else k for k in keys] if with_pinyin else None

    def __len__(self) -> int:
        return len(self.names)

    def scores(self, query: str) -> np.ndarray:
        """Each entity's best score (0–100) for ``query``."""
        text = normalise(query)
        key_scores = np.zeros(len(self._keys), dtype=np.float64)
        if not text or not self._keys:
            return np.zeros(len(self.names))
        if has_cjk(text):
            key_scores = process.cdist([text], self._keys, scorer=fuzz.ratio)[0].astype(float)
            if self._pinyin is not None:
                echo = process.cdist([to_pinyin(text)], self._pinyin, scorer=fuzz.ratio)[0]
                key_scores = np.maximum(key_scores, PINYIN_WEIGHT * echo)
        else:
            ascii_keys = self._pinyin if self._pinyin is not None else self._keys
            key_scores = process.cdist([text], ascii_keys, scorer=fuzz.ratio)[0].astype(float)
        best = np.zeros(len(self.names))
        np.maximum.at(best, self._owners, key_scores)
        return best

    def search(self, query: str, *, limit: int = 10, cutoff: float = 50.0) -> list[Candidate]:
        """The best candidates for ``query``, best first (ties broken by priority)."""
        scores = self.scores(query)
        ranked = scores + 0.01 * self.priority
        count = min(limit, len(ranked))
        if count == 0:
            return []
        top = np.argpartition(-ranked, count - 1)[:count]
        top = top[np.argsort(-ranked[top], kind="stable")]
        return [
            Candidate(int(i), self.names[i], round(float(scores[i]), 1), float(self.priority[i]))
            for i in top
            if scores[i] >= cutoff
        ]

    def resolve(self, query: str, *, accept: float = ACCEPT_SCORE) -> Candidate:
        """The one entity ``query`` names, or ``NameNotFound`` / ``AmbiguousName``."""
        candidates = self.search(query, limit=5, cutoff=accept)
        if not candidates:
            raise NameNotFound(query)
        best = candidates[0]
        rivals = [
            c
            for c in candidates[1:]
            if c.score >= best.score - 0.5 and c.rank_hint >= best.rank_hint
        ]
        if rivals:
            raise AmbiguousName(query, [best, *rivals])
        return best


# ---------------------------------------------------------------- zones
# A zone kind's full name and the short forms people write for it, longest first.
ZONE_WORDS = (
    ("跨境电子商务综合试验区", ("跨境电商综合试验区", "跨境电商综试区", "综试区")),
    ("高新技术产业开发区", ("高新技术开发区", "高新区")),
    ("经济技术开发区", ("经开区",)),
    ("自由贸易试验区", ("自贸试验区", "自贸区")),
    ("综合保税区", ("综保区",)),
)
_CHINA_PREFIX = re.compile(r"^中国[(（]([^)）]*)[)）]")


def zone_canonical(name: str) -> str:
    """One spelling per zone: short forms written out (经开区 → 经济技术开发区), ``中国（X）`` as X,
    normalised (赣州经开区 and 赣州经济技术开发区 meet)."""
    text = _CHINA_PREFIX.sub(r"\1", unicodedata.normalize("NFKC", name).strip())
    for full, shorts in ZONE_WORDS:
        for short in shorts:
            if short in text and full not in text:
                text = text.replace(short, full)
                break
    return normalise(text)


def zone_aliases(name: str) -> list[str]:
    """The everyday short forms of a zone's name: 瑞金经开区, 杭州跨境电商综试区 …"""
    text = _CHINA_PREFIX.sub(r"\1", unicodedata.normalize("NFKC", name).strip())
    text = _BRACKETS.sub("", text)
    aliases = [text]
    for full, shorts in ZONE_WORDS:
        if full in text:
            aliases += [text.replace(full, short) for short in shorts]
    return [alias for alias in dict.fromkeys(aliases) if alias != name]


# ---------------------------------------------------------------- organisations
_LEGAL_FORMS = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|股份|公司)+$")
_BRACKETS = re.compile(r"[(（]([^)）]*)[)）]")
# When what follows the place is only an institution word, the place is the 字号 itself
# (中山大学, 深圳大学, 赣州市人民医院) and must stay.
_INSTITUTION_HEADS = (
    "大学",
    "学院",
    "师范",
    "理工",
    "科技大学",
    "医科",
    "职业",
    "技师",
    "人民医院",
    "中心医院",
    "中医院",
    "妇幼",
    "第一",
    "第二",
    "第三",
    "研究院",
    "研究所",
)


class OrgNames:
    """Reduces organisation names to their core (字号 + 行业) so that near-duplicates meet.

    Chinese company names are 行政区划 + 字号 + 行业 + 组织形式, or put the place in brackets
    after the 字号: 深圳市某某科技有限公司 and 某某科技（深圳）有限公司 share the core 某某科技.
    """

    def __init__(self, places: Sequence[str]) -> None:
        forms = {normalise(p) for p in places} | {normalise(short_name(p)) for p in places}
        alternation = "|".join(sorted((f for f in forms if len(f) >= 2), key=len, reverse=True))
        self._leading_places = re.compile(rf"^(?:(?:{alternation})(?:省|市|区|县)?)+")
        self._places = frozenset(forms)

    def core(self, name: str) -> str:
        text = unicodedata.normalize("NFKC", name).strip()
        text = _BRACKETS.sub(
            lambda m: "" if normalise(m.group(1)) in self._places else m.group(1), text
        )
        text = normalise(text)
        text = _LEGAL_FORMS.sub("", text)
        stripped = self._leading_places.sub("", text)
        if len(stripped) < 2 or stripped.startswith(_INSTITUTION_HEADS):
            return text
        return stripped

    def near_duplicates(
        self, names: Sequence[str], *, threshold: float = 90.0
    ) -> list[tuple[int, int, float]]:
        """Pairs ``(i, j, score)`` with ``i < j`` whose cores are at least ``threshold`` alike."""
        cores = [self.core(n) for n in names]
        matrix = process.cdist(
            cores, cores, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.uint8, workers=-1
        )
        upper = np.triu(matrix, k=1)
        rows, cols = np.nonzero(upper)
        return [(int(i), int(j), float(upper[i, j])) for i, j in zip(rows, cols, strict=True)]
