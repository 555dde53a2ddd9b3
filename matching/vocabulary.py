"""The Opinion's vocabulary as enums: stable ASCII values, Chinese labels.

Every enum accepts its slug or its Chinese label on input (``Scheme("对口合作")`` is
``Scheme.counterpart_cooperation``), so API and CLI users may type either.
"""

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A string enum whose members also carry a Chinese label."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        text = str(value).strip().replace("“", "").replace("”", "").replace('"', "")
        for member in cls:
            if text in (member.value, member.label.replace("“", "").replace("”", "")):
                return member
        return None

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: member.label for member in cls}


class Region(LabelledEnum):
    east = "east", "东部"
    central = "central", "中部"
    west = "west", "西部"
    northeast = "northeast", "东北"


class CityLevel(LabelledEnum):
    province = "province", "省级"
    municipality = "municipality", "直辖市"
    prefecture = "prefecture", "地级"
    county = "county", "县级"


class Scheme(LabelledEnum):
    counterpart_cooperation = "counterpart_cooperation", "对口合作"
    east_west = "east_west", "东西部协作"
    counterpart_support = "counterpart_support", "对口支援"
    designated_assistance = "designated_assistance", "定点帮扶"
    intra_province = "intra_province", "省内结对"
    northeast_east = "northeast_east", "东北—东部对口合作"
    paired_assistance = "paired_assistance", "结对合作帮扶"


class TieLevel(LabelledEnum):
    """The level at which a framework names a side: a province, part of one, or a city."""

    province = "province", "省级"
    region = "region", "区域"
    city = "city", "市级"


class PairingKind(LabelledEnum):
    city_city = "city_city", "城市—城市"
    enterprise_city = "enterprise_city", "企业—城市"
    university_city = "university_city", "高校—城市"
    expert_need = "expert_need", "专家—岗位"


class PairingStatus(LabelledEnum):
    proposed = "proposed", "拟议"
    active = "active", "实施中"
    ended = "ended", "已结束"


class Mode(LabelledEnum):
    enterprise_resource = "enterprise_resource", "企业+资源"
    rnd_manufacturing = "rnd_manufacturing", "研发+制造"
    market_product = "market_product", "市场+产品"
    hq_base = "hq_base", "总部+基地"


class Programme(LabelledEnum):
    doctoral_service_team = "doctoral_service_team", "博士服务团"
    western_light = "western_light", "“西部之光”访问学者"
    science_commissioner = "science_commissioner", "科技特派员"
    group_aid_science = "group_aid_science", "“组团式”帮扶（科技）"
    group_aid_medical = "group_aid_medical", "“组团式”帮扶（医疗）"
    group_aid_education = "group_aid_education", "“组团式”帮扶（教育）"
    academician_part_time = "academician_part_time", "院士兼职"
    university_co_building = "university_co_building", "高校合作共建"
    three_supports = "three_supports", "“三支一扶”"
    special_post_teachers = "special_post_teachers", "“特岗计划”"
    military_doctors = "military_doctors", "“军医老区行”"
    medical_alliance = "medical_alliance", "医联体"


class UniversityType(LabelledEnum):
    double_first_class = "double_first_class", "双一流"
    undergraduate = "undergraduate", "本科"
    vocational = "vocational", "高职"
    technician = "technician", "技师学院"


class Placement(LabelledEnum):
    manufacturing = "manufacturing", "生产制造"
    rnd = "rnd", "研发"
    headquarters = "headquarters", "总部"
    logistics = "logistics", "物流"
    sales = "sales", "销售"


class Level(LabelledEnum):
    low = "low", "低"
    medium = "medium", "中"
    high = "high", "高"


class AffiliationType(LabelledEnum):
    university = "university", "高校"
    hospital = "hospital", "医院"
    enterprise = "enterprise", "企业"
    institute = "institute", "科研院所"


class Title(LabelledEnum):
    academician = "academician", "院士"
    senior = "senior", "正高级"
    associate = "associate", "副高级"
    intermediate = "intermediate", "中级"
    junior = "junior", "初级"


class Degree(LabelledEnum):
    doctorate = "doctorate", "博士"
    master = "master", "硕士"
    bachelor = "bachelor", "学士"
    other = "other", "其他"


class Confidence(LabelledEnum):
    high = "high", "高"
    medium = "medium", "中"
    low = "low", "低"


class Verdict(LabelledEnum):
    accepted = "accepted", "接受"
    contacted = "contacted", "已联系"
    rejected = "rejected", "拒绝"


class Stage(LabelledEnum):
    """Where a pairing of two parties stands (推荐 → 意向 → 接洽 → 会谈 → 签约 → 落地, or 终止)."""

    recommended = "recommended", "推荐"
    interest = "interest", "意向"
    contact = "contact", "接洽"
    meeting = "meeting", "会谈"
    signed = "signed", "签约"
    landed = "landed", "落地"
    terminated = "terminated", "终止"

    @property
    def order(self) -> int:
        """Its place on the way to 落地 (终止 is off the way: it ends any stage)."""
        return list(Stage).index(self)

    @property
    def final(self) -> bool:
        return self in (Stage.landed, Stage.terminated)


class InterestStatus(LabelledEnum):
    pending = "pending", "待回复"
    accepted = "accepted", "已接受"
    declined = "declined", "已拒绝"


class PlanKind(LabelledEnum):
    city_pairing = "city_pairing", "城市对口合作方案"
    talent_placement = "talent_placement", "人才选派方案"


class PlanStatus(LabelledEnum):
    draft = "draft", "草案"
    approved = "approved", "已批准"
    superseded = "superseded", "已被替代"


class Role(LabelledEnum):
    admin = "admin", "管理员"
    office = "office", "合作办公室"
    enterprise = "enterprise", "企业"
    university = "university", "高校"
    viewer = "viewer", "只读"


class OpportunityType(LabelledEnum):
    """合作机会的类型 (Opinion §一 §四 §九 §十三): offers and requests others can answer."""

    capacity_offer = "capacity_offer", "产品/产能供给"
    capacity_request = "capacity_request", "采购/产能需求"
    tech_offer = "tech_offer", "技术成果"
    tech_request = "tech_request", "技术需求"
    investment_project = "investment_project", "招商项目"
    labour_supply = "labour_supply", "劳务输出"
    labour_demand = "labour_demand", "用工需求"
    specialty_product = "specialty_product", "特色产品（消费帮扶）"
    purchase_intent = "purchase_intent", "采购意向（消费帮扶）"


class OpportunityStatus(LabelledEnum):
    open = "open", "开放"
    closed = "closed", "已关闭"
    expired = "expired", "已过期"


class BuyerType(LabelledEnum):
    """Who buys under 消费帮扶 (a purchase intent's buyer)."""

    enterprise = "enterprise", "企业"
    canteen = "canteen", "机关/单位食堂"
    retailer = "retailer", "商超/零售"
    platform = "platform", "电商平台"
