"""The kinds of profile as data: table, API shapes, natural key and reference fields.

One registry instead of five near-identical modules: the repository, the importer and the
routes read what differs between kinds from here.
"""

from dataclasses import dataclass

from sqlmodel import SQLModel

from profiles.models import (
    Enterprise,
    EnterpriseCreate,
    EnterprisePublic,
    EnterpriseUpdate,
    Expert,
    ExpertCreate,
    ExpertPublic,
    ExpertUpdate,
    Opportunity,
    OpportunityCreate,
    OpportunityPublic,
    OpportunityUpdate,
    Pairing,
    PairingCreate,
    PairingPublic,
    PairingUpdate,
    TalentNeed,
    TalentNeedCreate,
    TalentNeedPublic,
    TalentNeedUpdate,
    University,
    UniversityCreate,
    UniversityPublic,
    UniversityUpdate,
)


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    table: type[SQLModel]
    create: type[SQLModel]
    update: type[SQLModel]
    public: type[SQLModel]
    natural_key: tuple[str, ...]
    city_fields: tuple[str, ...]
    name_field: str | None = "name"

    @property
    def singular(self) -> str:
        return self.table.__name__


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "enterprises",
            "企业",
            Enterprise,
            EnterpriseCreate,
            EnterpriseUpdate,
            EnterprisePublic,
            ("name", "hq_city"),
            ("hq_city",),
        ),
        Kind(
            "universities",
            "高校",
            University,
            UniversityCreate,
            UniversityUpdate,
            UniversityPublic,
            ("name",),
            ("city",),
        ),
        Kind(
            "experts",
            "专家",
            Expert,
            ExpertCreate,
            ExpertUpdate,
            ExpertPublic,
            ("name", "affiliation"),
            ("city",),
        ),
        Kind(
            "needs",
            "人才需求",
            TalentNeed,
            TalentNeedCreate,
            TalentNeedUpdate,
            TalentNeedPublic,
            ("city", "title", "programme"),
            ("city",),
            name_field="title",
        ),
        Kind(
            "pairings",
            "结对关系",
            Pairing,
            PairingCreate,
            PairingUpdate,
            PairingPublic,
            ("natural_key",),
            ("base_city", "partner_city"),
            name_field=None,
        ),
        Kind(
            "opportunities",
            "合作机会",
            Opportunity,
            OpportunityCreate,
            OpportunityUpdate,
            OpportunityPublic,
            ("type", "title", "city"),
            ("city",),
            name_field="title",
        ),
    )
}
