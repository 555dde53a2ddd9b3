"""Fields compared at the level of the discipline catalogue, never by a broad category.

《研究生教育学科专业目录（2022年）》 has 14 门类 (哲学 … 交叉学科); a 门类 name such as 工学 or
文学 says too little to match a post, so it never matches anything. Two specific fields match
when they are the same discipline (equal, or one names the other: 药学 ⊂ 中药学, 材料 ⊂ 稀土材料),
or share a two-character word that is not generic (材料科学与工程 and 稀土材料 share 材料;
土木工程 and 化学工程 share only the generic 工程, so they do not match).
"""

from collections.abc import Sequence

import numpy as np
from scipy import sparse

# the 14 门类 of the 2022 catalogue: too broad to compare with a post's field
BROAD = frozenset(
    [
        "哲学",
        "经济学",
        "法学",
        "教育学",
        "文学",
        "历史学",
        "理学",
        "工学",
        "农学",
        "医学",
        "军事学",
        "管理学",
        "艺术学",
        "交叉学科",
    ]
)
# two-character words shared across unrelated disciplines
GENERIC = frozenset(
    [
        "工程",
        "科学",
        "技术",
        "管理",
        "学与",
        "与工",
        "与技",
        "科技",
        "医学",
        "理学",
        "工学",
        "学科",
        "应用",
        "信息",
        "现代",
        "综合",
    ]
)
EXACT, RELATED = 1.0, 0.7


def _words(field: str) -> set[str]:
    return {field[i : i + 2] for i in range(len(field) - 1)} - GENERIC


def similarity(a: str, b: str) -> float:
    """How closely two fields match at the discipline level (0 for a broad category)."""
    a, b = a.strip(), b.strip()
    if not a or not b or a in BROAD or b in BROAD:
        return 0.0
    if a == b or (len(a) >= 2 and a in b) or (len(b) >= 2 and b in a):
        return EXACT
    return RELATED if _words(a) & _words(b) else 0.0


def matching_fields(fields: Sequence[str], wanted: str) -> list[str]:
    """The fields that match ``wanted`` at the discipline level, best first."""
    scored = [(similarity(f, wanted), f) for f in fields]
    return [f for s, f in sorted(scored, key=lambda x: -x[0]) if s > 0]


class FieldIndex:
    """Fields of two collections (experts and posts), compared block by block.

    Similarities are computed once per pair of distinct field names (a few hundred), then
    spread by sparse incidence products, so no loop runs over the row × column pairs.
    """

    def __init__(self, rows: Sequence[Sequence[str]], columns: Sequence[Sequence[str]]) -> None:
        names = sorted({f for fs in (*rows, *columns) for f in fs})
        index = {n: i for i, n in enumerate(names)}
        table = np.array([[similarity(a, b) for b in names] for a in names]).reshape(
            len(names), len(names)
        )
        self.rows, self.columns = _incidence(rows, index), _incidence(columns, index)
        self.levels = [(level, sparse.csr_matrix(table >= level)) for level in (EXACT, RELATED)]

    def block(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """rows × columns: the best similarity between any field of a row and of a column."""
        left, right = self.rows[rows], self.columns[columns]
        result = np.zeros((len(rows), len(columns)))
        for level, links in self.levels:  # descending: the best level present wins
            hit = (left @ links @ right.T).toarray() > 0
            result[(result == 0) & hit] = level
        return result


def field_matrix(rows: Sequence[Sequence[str]], columns: Sequence[Sequence[str]]) -> np.ndarray:
    """rows × columns similarities (a small ``FieldIndex`` used once)."""
    index = FieldIndex(rows, columns)
    return index.block(np.arange(len(rows)), np.arange(len(columns)))


def _incidence(groups: Sequence[Sequence[str]], index: dict[str, int]) -> sparse.csr_matrix:
    rows = [i for i, fs in enumerate(groups) for f in fs]
    cols = [index[f] for fs in groups for f in fs]
    return sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(groups), max(len(index), 1))
    )
