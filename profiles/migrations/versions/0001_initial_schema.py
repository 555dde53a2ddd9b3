"""Initial schema: the catalogue, profiles, pairings, feedback, plans and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 10:54:39.953442
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL enum types that the tables create; the downgrade drops them too.
ENUM_TYPES = (
    "affiliationtype",
    "citylevel",
    "confidence",
    "degree",
    "level",
    "mode",
    "pairingkind",
    "pairingstatus",
    "plankind",
    "planstatus",
    "programme",
    "region",
    "scheme",
    "title",
    "universitytype",
    "uq_enterprise_name_city",
    "uq_expert_name_affiliation",
    "uq_need_city_title_programme",
    "verdict",
)


def upgrade() -> None:
    op.create_table(
        "base_area",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("plan", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "city",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("pinyin", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("province_adcode", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("parent_adcode", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column(
            "level",
            sa.Enum("province", "municipality", "prefecture", "county", name="citylevel"),
            nullable=False,
        ),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column(
            "region", sa.Enum("east", "central", "west", "northeast", name="region"), nullable=True
        ),
        sa.Column("is_key_city", sa.Boolean(), nullable=False),
        sa.Column("is_partner_candidate", sa.Boolean(), nullable=False),
        sa.Column("population_10k", sa.Float(), nullable=True),
        sa.Column("population_year", sa.Integer(), nullable=True),
        sa.Column(
            "population_source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True
        ),
        sa.Column("gdp_100m", sa.Float(), nullable=True),
        sa.Column("gdp_year", sa.Integer(), nullable=True),
        sa.Column("gdp_source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("gdp_per_capita", sa.Float(), nullable=True),
        sa.Column("gdp_per_capita_year", sa.Integer(), nullable=True),
        sa.Column(
            "gdp_per_capita_source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True
        ),
        sa.Column("primary_share", sa.Float(), nullable=True),
        sa.Column("secondary_share", sa.Float(), nullable=True),
        sa.Column("tertiary_share", sa.Float(), nullable=True),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column("industry_keywords", sa.JSON(), nullable=False),
        sa.Column("resources", sa.JSON(), nullable=False),
        sa.Column("specialty_products", sa.JSON(), nullable=False),
        sa.Column("profile_source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column(
            "profile_confidence", sa.Enum("high", "medium", "low", name="confidence"), nullable=True
        ),
        sa.Column("airport", sa.Boolean(), nullable=True),
        sa.Column("high_speed_rail", sa.Boolean(), nullable=True),
        sa.Column("bonded_zone", sa.Boolean(), nullable=True),
        sa.Column("cross_border_ecommerce_zone", sa.Boolean(), nullable=True),
        sa.Column("national_dev_zones", sa.Integer(), nullable=True),
        sa.Column("seeks_industries", sa.JSON(), nullable=False),
        sa.Column("seeks_talent", sa.JSON(), nullable=False),
        sa.Column("adcode", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("adcode"),
    )
    with op.batch_alter_table("city", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_archived"), ["archived"], unique=False)
        batch_op.create_index(batch_op.f("ix_city_is_key_city"), ["is_key_city"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_city_is_partner_candidate"), ["is_partner_candidate"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_city_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_city_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_city_province"), ["province"], unique=False)

    op.create_table(
        "idempotency_key",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "industry",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("section", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("industry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_industry_section"), ["section"], unique=False)

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("city_pairing", "talent_placement", name="plankind"), nullable=False
        ),
        sa.Column(
            "status", sa.Enum("draft", "approved", "superseded", name="planstatus"), nullable=False
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("approved_solution", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_status"), ["status"], unique=False)

    op.create_table(
        "base_area_city",
        sa.Column("base_area_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("adcode", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("coverage", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("counties_listed", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("confidence", sa.Enum("high", "medium", "low", name="confidence"), nullable=True),
        sa.ForeignKeyConstraint(
            ["adcode"],
            ["city.adcode"],
        ),
        sa.ForeignKeyConstraint(
            ["base_area_id"],
            ["base_area.id"],
        ),
        sa.PrimaryKeyConstraint("base_area_id", "adcode"),
    )
    with op.batch_alter_table("base_area_city", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_base_area_city_adcode"), ["adcode"], unique=False)

    op.create_table(
        "enterprise",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("hq_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column("industry_keywords", sa.JSON(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("revenue_100m", sa.Float(), nullable=True),
        sa.Column("places", sa.JSON(), nullable=False),
        sa.Column("needs_resources", sa.JSON(), nullable=False),
        sa.Column("land_mu", sa.Float(), nullable=True),
        sa.Column("workers", sa.Integer(), nullable=True),
        sa.Column(
            "energy_intensity", sa.Enum("low", "medium", "high", name="level"), nullable=True
        ),
        sa.Column("target_markets", sa.JSON(), nullable=False),
        sa.Column("preferred_modes", sa.JSON(), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hq_city"],
            ["city.adcode"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "hq_city", name="uq_enterprise_name_city"),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_archived"), ["archived"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_employees"), ["employees"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_hq_city"), ["hq_city"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_is_demo"), ["is_demo"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_owner"), ["owner"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enterprise_revenue_100m"), ["revenue_100m"], unique=False
        )

    op.create_table(
        "talent_need",
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column(
            "programme",
            sa.Enum(
                "doctoral_service_team",
                "western_light",
                "science_commissioner",
                "group_aid_science",
                "group_aid_medical",
                "group_aid_education",
                "academician_part_time",
                "university_co_building",
                "three_supports",
                "special_post_teachers",
                "military_doctors",
                "medical_alliance",
                name="programme",
            ),
            nullable=False,
        ),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("period_months", sa.Integer(), nullable=True),
        sa.Column("starts", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("employer", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city"],
            ["city.adcode"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("city", "title", "programme", name="uq_need_city_title_programme"),
    )
    with op.batch_alter_table("talent_need", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_talent_need_archived"), ["archived"], unique=False)
        batch_op.create_index(batch_op.f("ix_talent_need_city"), ["city"], unique=False)
        batch_op.create_index(batch_op.f("ix_talent_need_is_demo"), ["is_demo"], unique=False)
        batch_op.create_index(batch_op.f("ix_talent_need_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_talent_need_programme"), ["programme"], unique=False)

    op.create_table(
        "university",
        sa.Column("english_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "double_first_class",
                "undergraduate",
                "vocational",
                "technician",
                name="universitytype",
            ),
            nullable=False,
        ),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("first_class_disciplines", sa.JSON(), nullable=False),
        sa.Column("main_fields", sa.JSON(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("confidence", sa.Enum("high", "medium", "low", name="confidence"), nullable=True),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city"],
            ["city.adcode"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("university", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_university_archived"), ["archived"], unique=False)
        batch_op.create_index(batch_op.f("ix_university_city"), ["city"], unique=False)
        batch_op.create_index(batch_op.f("ix_university_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_university_type"), ["type"], unique=False)

    op.create_table(
        "expert",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "affiliation_type",
            sa.Enum("university", "hospital", "enterprise", "institute", name="affiliationtype"),
            nullable=False,
        ),
        sa.Column("affiliation", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("university_id", sa.Integer(), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column(
            "title",
            sa.Enum("academician", "senior", "associate", "intermediate", "junior", name="title"),
            nullable=False,
        ),
        sa.Column(
            "degree",
            sa.Enum("doctorate", "master", "bachelor", "other", name="degree"),
            nullable=False,
        ),
        sa.Column("programmes", sa.JSON(), nullable=False),
        sa.Column("available_from", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("available_months", sa.Integer(), nullable=True),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city"],
            ["city.adcode"],
        ),
        sa.ForeignKeyConstraint(
            ["university_id"],
            ["university.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "affiliation", name="uq_expert_name_affiliation"),
    )
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_archived"), ["archived"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_city"), ["city"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_is_demo"), ["is_demo"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_owner"), ["owner"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_expert_university_id"), ["university_id"], unique=False
        )

    op.create_table(
        "feedback",
        sa.Column(
            "kind",
            sa.Enum(
                "city_city", "enterprise_city", "university_city", "expert_need", name="pairingkind"
            ),
            nullable=False,
        ),
        sa.Column("base_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("partner_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column(
            "mode",
            sa.Enum(
                "enterprise_resource", "rnd_manufacturing", "market_product", "hq_base", name="mode"
            ),
            nullable=True,
        ),
        sa.Column(
            "verdict", sa.Enum("accepted", "contacted", "rejected", name="verdict"), nullable=False
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_city"],
            ["city.adcode"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["partner_city"],
            ["city.adcode"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_base_city"), ["base_city"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_feedback_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_owner"), ["owner"], unique=False)

    op.create_table(
        "pairing",
        sa.Column(
            "kind",
            sa.Enum(
                "city_city", "enterprise_city", "university_city", "expert_need", name="pairingkind"
            ),
            nullable=False,
        ),
        sa.Column(
            "scheme",
            sa.Enum(
                "counterpart_cooperation",
                "east_west",
                "counterpart_support",
                "designated_assistance",
                "intra_province",
                name="scheme",
            ),
            nullable=True,
        ),
        sa.Column("base_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("partner_city", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("university_id", sa.Integer(), nullable=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("base_unit", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("partner_unit", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("modes", sa.JSON(), nullable=False),
        sa.Column("since", sa.Integer(), nullable=True),
        sa.Column(
            "status", sa.Enum("proposed", "active", "ended", name="pairingstatus"), nullable=False
        ),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("confidence", sa.Enum("high", "medium", "low", name="confidence"), nullable=True),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("natural_key", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_city"],
            ["city.adcode"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["talent_need.id"],
        ),
        sa.ForeignKeyConstraint(
            ["partner_city"],
            ["city.adcode"],
        ),
        sa.ForeignKeyConstraint(
            ["university_id"],
            ["university.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("natural_key"),
    )
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairing_base_city"), ["base_city"], unique=False)
        batch_op.create_index("ix_pairing_cities", ["base_city", "partner_city"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pairing_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pairing_expert_id"), ["expert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairing_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairing_need_id"), ["need_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairing_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairing_partner_city"), ["partner_city"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairing_scheme"), ["scheme"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pairing_university_id"), ["university_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairing_university_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_scheme"))
        batch_op.drop_index(batch_op.f("ix_pairing_partner_city"))
        batch_op.drop_index(batch_op.f("ix_pairing_owner"))
        batch_op.drop_index(batch_op.f("ix_pairing_need_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_kind"))
        batch_op.drop_index(batch_op.f("ix_pairing_expert_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_enterprise_id"))
        batch_op.drop_index("ix_pairing_cities")
        batch_op.drop_index(batch_op.f("ix_pairing_base_city"))

    op.drop_table("pairing")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_owner"))
        batch_op.drop_index(batch_op.f("ix_feedback_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_base_city"))

    op.drop_table("feedback")
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_university_id"))
        batch_op.drop_index(batch_op.f("ix_expert_owner"))
        batch_op.drop_index(batch_op.f("ix_expert_is_demo"))
        batch_op.drop_index(batch_op.f("ix_expert_city"))
        batch_op.drop_index(batch_op.f("ix_expert_archived"))

    op.drop_table("expert")
    with op.batch_alter_table("university", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_university_type"))
        batch_op.drop_index(batch_op.f("ix_university_owner"))
        batch_op.drop_index(batch_op.f("ix_university_city"))
        batch_op.drop_index(batch_op.f("ix_university_archived"))

    op.drop_table("university")
    with op.batch_alter_table("talent_need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_talent_need_programme"))
        batch_op.drop_index(batch_op.f("ix_talent_need_owner"))
        batch_op.drop_index(batch_op.f("ix_talent_need_is_demo"))
        batch_op.drop_index(batch_op.f("ix_talent_need_city"))
        batch_op.drop_index(batch_op.f("ix_talent_need_archived"))

    op.drop_table("talent_need")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_revenue_100m"))
        batch_op.drop_index(batch_op.f("ix_enterprise_owner"))
        batch_op.drop_index(batch_op.f("ix_enterprise_is_demo"))
        batch_op.drop_index(batch_op.f("ix_enterprise_hq_city"))
        batch_op.drop_index(batch_op.f("ix_enterprise_employees"))
        batch_op.drop_index(batch_op.f("ix_enterprise_archived"))

    op.drop_table("enterprise")
    with op.batch_alter_table("base_area_city", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_base_area_city_adcode"))

    op.drop_table("base_area_city")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_status"))
        batch_op.drop_index(batch_op.f("ix_plan_owner"))
        batch_op.drop_index(batch_op.f("ix_plan_kind"))

    op.drop_table("plan")
    with op.batch_alter_table("industry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_section"))

    op.drop_table("industry")
    op.drop_table("idempotency_key")
    with op.batch_alter_table("city", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_city_province"))
        batch_op.drop_index(batch_op.f("ix_city_name"))
        batch_op.drop_index(batch_op.f("ix_city_level"))
        batch_op.drop_index(batch_op.f("ix_city_is_partner_candidate"))
        batch_op.drop_index(batch_op.f("ix_city_is_key_city"))
        batch_op.drop_index(batch_op.f("ix_city_archived"))

    op.drop_table("city")
    op.drop_table("base_area")
    if op.get_bind().dialect.name == "postgresql":
        for name in ENUM_TYPES:
            sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
