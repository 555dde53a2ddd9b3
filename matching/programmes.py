"""The talent programmes of the Opinion §(九)–(十四), with their eligibility rules as data.

The rules are our reading of each programme's published purpose (who is sent, where to), kept
deliberately simple and explicit: degree, title, affiliation, field, and the regions a
programme serves. They are applied exactly: an ineligible expert is never placed, and every
refusal says which rule failed.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.vocabulary import AffiliationType, Degree, Programme, Region, Title

MEDICAL = ("医", "护理", "药", "公共卫生", "卫生")
EDUCATION = ("教育", "师范", "教学")
SENIORITY = {
    Title.junior: 0,
    Title.intermediate: 1,
    Title.associate: 2,
    Title.senior: 3,
    Title.academician: 4,
}
DEGREE_LEVEL = {Degree.other: 0, Degree.bachelor: 1, Degree.master: 2, Degree.doctorate: 3}


@dataclass(frozen=True)
class Rules:
    degrees: frozenset[Degree] | None = None
    titles: frozenset[Title] | None = None
    affiliations: frozenset[AffiliationType] | None = None
    field_words: tuple[str, ...] = ()  # at least one expert field contains one of these
    regions: frozenset[Region] | None = None  # regions of the post's city


@dataclass(frozen=True)
class ProgrammeSpec:
    programme: Programme
    clause: str
    purpose: str
    rules: Rules

    @property
    def label(self) -> str:
        return self.programme.label


def _titles(*titles: Title) -> frozenset[Title]:
    return frozenset(titles)


MID_UP = _titles(Title.intermediate, Title.associate, Title.senior, Title.academician)
ASSOCIATE_UP = _titles(Title.associate, Title.senior, Title.academician)
CLAUSE_TALENT = "《意见》五（十四）加大人才帮扶力度"

PROGRAMMES: dict[Programme, ProgrammeSpec] = {
    spec.programme: spec
    for spec in (
        ProgrammeSpec(
            Programme.doctoral_service_team,
            CLAUSE_TALENT,
            "选派博士到革命老区挂职服务",
            Rules(degrees=frozenset({Degree.doctorate})),
        ),
        ProgrammeSpec(
            Programme.western_light,
            CLAUSE_TALENT,
            "为西部革命老区单列访问学者名额",
            Rules(
                degrees=frozenset({Degree.master, Degree.doctorate}),
                titles=MID_UP,
                regions=frozenset({Region.west}),
            ),
        ),
        ProgrammeSpec(
            Programme.science_commissioner,
            CLAUSE_TALENT,
            "科技特派员柔性引才、服务产业",
            Rules(titles=MID_UP),
        ),
        ProgrammeSpec(
            Programme.group_aid_science,
            CLAUSE_TALENT,
            "科技干部人才“组团式”帮扶",
            Rules(
                titles=MID_UP,
                affiliations=frozenset(
                    {
                        AffiliationType.university,
                        AffiliationType.institute,
                        AffiliationType.enterprise,
                    }
                ),
            ),
        ),
        ProgrammeSpec(
            Programme.group_aid_medical,
            CLAUSE_TALENT,
            "医疗人才“组团式”帮扶",
            Rules(
                titles=MID_UP,
                affiliations=frozenset({AffiliationType.hospital, AffiliationType.university}),
                field_words=MEDICAL,
            ),
        ),
        ProgrammeSpec(
            Programme.group_aid_education,
            CLAUSE_TALENT,
            "教育人才“组团式”帮扶",
            Rules(titles=MID_UP, field_words=EDUCATION),
        ),
        ProgrammeSpec(
            Programme.academician_part_time,
            CLAUSE_TALENT,
            "引进院士兼职",
            Rules(titles=_titles(Title.academician)),
        ),
        ProgrammeSpec(
            Programme.university_co_building,
            "《意见》五（十二）提升高等教育和职业教育质量",
            "“双一流”建设高校等与老区院校合作共建",
            Rules(affiliations=frozenset({AffiliationType.university}), titles=MID_UP),
        ),
        ProgrammeSpec(
            Programme.three_supports,
            CLAUSE_TALENT,
            "高校毕业生“三支一扶”（支教、支农、支医、帮扶乡村振兴）",
            Rules(
                degrees=frozenset({Degree.bachelor, Degree.master}),
                titles=_titles(Title.junior, Title.intermediate),
            ),
        ),
        ProgrammeSpec(
            Programme.special_post_teachers,
            CLAUSE_TALENT,
            "农村义务教育“特岗计划”教师",
            Rules(
                degrees=frozenset({Degree.bachelor, Degree.master, Degree.doctorate}),
                titles=_titles(Title.junior, Title.intermediate),
                field_words=EDUCATION,
                regions=frozenset({Region.central, Region.west}),
            ),
        ),
        ProgrammeSpec(
            Programme.military_doctors,
            CLAUSE_TALENT,
            "“军医老区行”医疗服务",
            Rules(
                affiliations=frozenset({AffiliationType.hospital}),
                field_words=MEDICAL,
                titles=MID_UP,
            ),
        ),
        ProgrammeSpec(
            Programme.medical_alliance,
            "《意见》四（十）完善基本公共服务和社会保障体系",
            "老区医院与高水平医院合作共建医联体",
            Rules(
                affiliations=frozenset({AffiliationType.hospital}),
                field_words=MEDICAL,
                titles=ASSOCIATE_UP,
            ),
        ),
    )
}


@dataclass(frozen=True)
class ExpertFacts:
    degree: Degree
    title: Title
    affiliation: AffiliationType
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RuleCheck:
    rule: str  # 学位, 职称, 单位, 专业, 服务地区
    passed: bool
    text: str


def rule_checks(
    programme: Programme, expert: ExpertFacts, post_region: Region | None
) -> list[RuleCheck]:
    """Every eligibility rule of ``programme`` for ``expert`` in a post in ``post_region``,
    passed or failed, in the order ``refusal`` applies them."""
    rules = PROGRAMMES[programme].rules
    label = PROGRAMMES[programme].label
    checks = []
    if rules.degrees is not None:
        allowed = "、".join(d.label for d in sorted(rules.degrees, key=DEGREE_LEVEL.get))
        checks.append(
            RuleCheck(
                "学位",
                expert.degree in rules.degrees,
                f"{label}要求学位为{allowed}（现为{expert.degree.label}）",
            )
        )
    if rules.titles is not None:
        allowed = "、".join(t.label for t in sorted(rules.titles, key=SENIORITY.get))
        checks.append(
            RuleCheck(
                "职称",
                expert.title in rules.titles,
                f"{label}要求职称为{allowed}（现为{expert.title.label}）",
            )
        )
    if rules.affiliations is not None:
        allowed = "、".join(a.label for a in rules.affiliations)
        checks.append(
            RuleCheck(
                "单位",
                expert.affiliation in rules.affiliations,
                f"{label}面向{allowed}人员（现为{expert.affiliation.label}）",
            )
        )
    if rules.field_words:
        checks.append(
            RuleCheck(
                "专业",
                any(w in f for f in expert.fields for w in rules.field_words),
                f"{label}要求相关专业（{'、'.join(rules.field_words)}）",
            )
        )
    if rules.regions is not None:
        regions = "、".join(r.label for r in rules.regions)
        checks.append(
            RuleCheck("服务地区", post_region in rules.regions, f"{label}只服务{regions}地区的岗位")
        )
    return checks


def refusal(programme: Programme, expert: ExpertFacts, post_region: Region | None) -> str | None:
    """Why ``expert`` may not serve this programme in a post in ``post_region`` (None: eligible)."""
    failed = [c for c in rule_checks(programme, expert, post_region) if not c.passed]
    return failed[0].text if failed else None


def eligibility(
    programme: Programme, experts: Sequence[ExpertFacts], post_regions: np.ndarray
) -> np.ndarray:
    """experts × posts booleans for one programme (posts given by their regions)."""
    rules = PROGRAMMES[programme].rules
    ok = np.ones(len(experts), dtype=bool)
    if rules.degrees is not None:
        ok &= np.array([e.degree in rules.degrees for e in experts])
    if rules.titles is not None:
        ok &= np.array([e.title in rules.titles for e in experts])
    if rules.affiliations is not None:
        ok &= np.array([e.affiliation in rules.affiliations for e in experts])
    if rules.field_words:
        ok &= np.array([any(w in f for f in e.fields for w in rules.field_words) for e in experts])
    posts = np.ones(len(post_regions), dtype=bool)
    if rules.regions is not None:
        posts &= np.array([r in rules.regions for r in post_regions])
    return ok[:, None] & posts[None, :]
