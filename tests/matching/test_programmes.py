"""Programme eligibility, applied exactly, with a reason for every refusal."""

import numpy as np

from matching.programmes import PROGRAMMES, ExpertFacts, eligibility, refusal
from matching.vocabulary import AffiliationType, Degree, Programme, Region, Title

DOCTOR = ExpertFacts(
    Degree.doctorate, Title.associate, AffiliationType.university, ("材料科学与工程",)
)
MASTER = ExpertFacts(Degree.master, Title.senior, AffiliationType.hospital, ("临床医学",))
GRADUATE = ExpertFacts(Degree.bachelor, Title.junior, AffiliationType.university, ("学前教育",))


def test_every_programme_of_the_opinion_is_data() -> None:
    assert set(PROGRAMMES) == set(Programme)
    assert all(spec.clause.startswith("《意见》") and spec.purpose for spec in PROGRAMMES.values())


def test_western_light_serves_only_western_posts() -> None:
    assert refusal(Programme.western_light, DOCTOR, Region.west) is None
    assert "西部" in refusal(Programme.western_light, DOCTOR, Region.central)
    matrix = eligibility(
        Programme.western_light, [DOCTOR, GRADUATE], np.array([Region.west, Region.east])
    )
    assert matrix.tolist() == [[True, False], [False, False]]


def test_degree_title_affiliation_and_field_rules() -> None:
    assert refusal(Programme.doctoral_service_team, DOCTOR, Region.central) is None
    assert "博士" in refusal(Programme.doctoral_service_team, MASTER, Region.central)
    assert (
        refusal(Programme.academician_part_time, DOCTOR, Region.east)
        == "院士兼职要求职称为院士（现为副高级）"
    )
    assert refusal(Programme.medical_alliance, MASTER, Region.west) is None
    assert "医院" in refusal(Programme.medical_alliance, DOCTOR, Region.west)
    assert refusal(Programme.special_post_teachers, GRADUATE, Region.central) is None
    assert refusal(Programme.special_post_teachers, GRADUATE, Region.east) is not None
    assert refusal(Programme.three_supports, GRADUATE, Region.east) is None
    assert refusal(Programme.three_supports, DOCTOR, Region.east) is not None
