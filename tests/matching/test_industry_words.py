"""Words to GB/T 4754 codes: the resolver answers when sure and asks when not."""

import csv
from pathlib import Path

import numpy as np
import pytest

from matching.industry_words import IndustryWordResolver, load_synonyms, normalise
from matching.records import code_matrix, majors

STANDARD = [
    ("C", "制造业"),
    ("38", "电气机械和器材制造业"),
    ("384", "电池制造"),
    ("3841", "锂离子电池制造"),
    ("3842", "镍氢电池制造"),
    ("385", "家用电力器具制造"),
    ("3852", "家用空气调节器制造"),
    ("26", "化学原料和化学制品制造业"),
    ("268", "日用化学产品制造"),
    ("2681", "肥皂及洗涤剂制造"),
    ("36", "汽车制造业"),
    ("56", "航空运输业"),
    ("5611", "航空旅客运输"),
    ("81", "机动车、电子产品和日用产品修理业"),
    ("811", "汽车、摩托车等修理与维护"),
]
SYNONYMS = [("锂电", ("3841",)), ("空调", ("3852",)), ("汽车", ("36",)), ("维修", ("81",))]


@pytest.fixture(scope="module")
def resolver() -> IndustryWordResolver:
    return IndustryWordResolver().fit(STANDARD, SYNONYMS)


@pytest.mark.parametrize(
    ("word", "codes", "via"),
    [
        ("3841", ("3841",), "code"),
        ("c", ("C",), "code"),
        ("锂电", ("3841",), "synonym"),
        ("锂离子电池", ("3841",), "name"),  # the name without its suffix
        ("锂离子电池制造", ("3841",), "name"),
        ("肥皂", ("2681",), "part"),  # one item of the name's list
        ("电池", ("384",), "name"),
        ("汽车维修", ("81",), "contains"),  # the head word decides: a repair service
        ("汽车锂电", ("3841",), "contains"),  # …and here a battery
        ("锂离子电他制造", ("3841",), "similar"),  # one character off
    ],
)
def test_sure_answers(resolver: IndustryWordResolver, word: str, codes: tuple, via: str) -> None:
    answer = resolver.resolve(word)
    assert answer.certain and answer.codes == codes and answer.candidates[0].via == via


@pytest.mark.parametrize("word", ["电", "量子波动速读", "锂电装备", "汽修"])
def test_it_asks_rather_than_guesses(resolver: IndustryWordResolver, word: str) -> None:
    answer = resolver.resolve(word)
    assert not answer.certain and answer.codes == ()


def test_a_vague_word_still_gets_candidates(resolver: IndustryWordResolver) -> None:
    answer = resolver.resolve("锂电装备")  # holds 锂电, but as a modifier: suggested, not answered
    assert answer.candidates[0].code == "3841" and not answer.certain


def test_a_synonym_may_name_several_codes() -> None:
    resolver = IndustryWordResolver().fit(STANDARD, [("电芯", ("3841", "3842"))])
    assert resolver.resolve("电芯").codes == ("3841", "3842")


def test_synonyms_must_name_codes_of_the_standard() -> None:
    with pytest.raises(ValueError, match="unknown codes"):
        IndustryWordResolver().fit(STANDARD, [("芯片", ("3973",))])


def test_unfitted_resolver_refuses() -> None:
    with pytest.raises(Exception, match="not fitted"):
        IndustryWordResolver().resolve("锂电")


def test_normalise_folds_width_and_case() -> None:
    assert normalise(" ＰＣＢ（板）") == "pcb板"


def test_finer_codes_roll_up_to_their_major_class_once() -> None:
    fine = code_matrix([["3841"], ["384", "39"], ["C"]]).toarray()
    coarse = code_matrix([["38"], ["38", "39"], ["C"]]).toarray()
    assert np.array_equal(fine, coarse)
    assert majors(["3841", "384", "38", "C", "0939"]) == {37, 8}  # rows of 大类 38 and 09


def test_no_test_word_is_in_the_synonym_table() -> None:
    """The benchmark's words stay out of the table, so its accuracy is not recall of a list."""
    path = Path(__file__).parent / "data" / "industry_words.csv"
    words = {r["word"] for r in csv.DictReader(path.read_text(encoding="utf-8").splitlines())}
    assert len(words) >= 300
    assert words.isdisjoint(word for word, _ in load_synonyms())
