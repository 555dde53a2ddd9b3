"""Fields compared at the discipline level: never a broad category against a specific field."""

import numpy as np

from matching.disciplines import BROAD, field_matrix, matching_fields, similarity


def test_broad_categories_never_match() -> None:
    assert similarity("工学", "药学") == 0 and similarity("文学", "药学") == 0
    assert all(similarity(broad, "材料科学与工程") == 0 for broad in BROAD)
    assert matching_fields(["文学", "工学"], "药学") == []


def test_disciplines_match_by_name_not_by_generic_words() -> None:
    assert similarity("药学", "药学") == 1.0 and similarity("药学", "中药学") == 1.0
    assert similarity("材料科学与工程", "稀土材料") > 0  # 材料
    assert similarity("土木工程", "化学工程") == 0  # only the generic 工程
    assert similarity("临床医学", "中医学") == 0  # only the generic 医学
    assert matching_fields(["工学", "化学工程", "药学"], "药学") == ["药学"]


def test_the_matrix_agrees_with_pairwise_similarity() -> None:
    rows = [("工学", "药学"), ("材料科学与工程",), ("文学",)]
    columns = [("药学",), ("稀土材料",), ("土木工程",)]
    expected = np.array(
        [[max(similarity(a, b) for a in r for b in c) for c in columns] for r in rows]
    )
    assert np.array_equal(field_matrix(rows, columns), expected)
