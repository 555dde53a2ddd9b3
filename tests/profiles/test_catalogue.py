"""The shipped catalogue: real, complete, sourced, and seeded idempotently."""

import csv
from importlib import resources

from sqlalchemy import func
from sqlmodel import Session, select

from fixtures import demo
from matching.vocabulary import CityLevel, Scheme
from profiles.models import (
    BaseArea,
    BaseAreaCity,
    City,
    Enterprise,
    Expert,
    Framework,
    Pairing,
    TalentNeed,
    University,
)
from profiles.repository import catalogue_counts
from profiles.seed import load_demo_catalogue, seed_catalogue


def _reference(name: str) -> list[dict[str, str]]:
    text = resources.files("fixtures").joinpath("reference", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_every_prefecture_level_division_is_in_the_catalogue(session: Session) -> None:
    levels = [CityLevel.prefecture, CityLevel.municipality]
    cities = session.exec(select(City).where(City.level.in_(levels))).all()
    names = {c.name for c in cities}
    assert len(cities) == 337
    assert {row["name"] for row in _reference("city_stats.csv")} <= names
    assert "那曲市" in names  # renamed since cpca's snapshot
    assert all(c.longitude and c.latitude for c in cities)


def test_key_cities_and_partner_candidates_are_marked(session: Session) -> None:
    key = set(session.exec(select(City.name).where(City.is_key_city)).all())
    assert key == {row["base_city"] for row in _reference("pairings_key_cities.csv")}
    partners = set(session.exec(select(City.adcode).where(City.is_partner_candidate)).all())
    assert {"440300", "320500", "110000", "510100"} <= partners  # eastern, capital
    assert "360700" not in partners and "441500" not in partners  # key base cities are not


def test_every_figure_carries_its_year_and_source(session: Session) -> None:
    ganzhou = session.get(City, "360700")
    assert ganzhou.gdp_100m == 4606.21 and ganzhou.gdp_year == 2023
    assert "biechouwo-coder/G-P" in ganzhou.gdp_source
    assert ganzhou.population_year == 2023 and ganzhou.population_source
    for city in session.exec(select(City)).all():
        for value, year, source in (
            (city.population_10k, city.population_year, city.population_source),
            (city.gdp_100m, city.gdp_year, city.gdp_source),
            (city.gdp_per_capita, city.gdp_per_capita_year, city.gdp_per_capita_source),
        ):
            assert value is None or (year and source), city.name


def test_missing_figures_stay_empty(session: Session) -> None:
    assert session.get(City, "610500").gdp_100m is None  # 渭南: no GDP in the references
    xiangxi = session.exec(select(City).where(City.name == "湘西土家族苗族自治州")).one()
    assert xiangxi.gdp_100m is not None
    enshi = session.get(City, "422800")  # 自治州: population left out of the source file
    assert enshi.population_year in (None, 2020)


def test_base_areas_each_cover_cities(session: Session) -> None:
    areas = session.exec(select(BaseArea)).all()
    assert len(areas) == 12
    for area in areas:
        count = session.exec(select(func.count()).where(BaseAreaCity.base_area_id == area.id)).one()
        assert count >= 1, area.name
    ganzhou_areas = set(
        session.exec(select(BaseAreaCity.base_area_id).where(BaseAreaCity.adcode == "360700")).all()
    )
    assert ganzhou_areas == {"ganminyue", "xiangganbian"}


def test_pairings_refer_to_existing_parties(session: Session) -> None:
    pairings = session.exec(select(Pairing)).all()
    # 71 from the pairing files, 19 city-to-city frameworks (厦门 → 临夏 is in both)
    assert len(pairings) == 90
    adcodes = set(session.exec(select(City.adcode)).all())
    for pairing in pairings:
        assert pairing.base_city in adcodes and pairing.partner_city in adcodes
        assert pairing.source
    key = session.exec(
        select(Pairing).where(
            Pairing.base_city == "360700",
            Pairing.partner_city == "440300",
            Pairing.scheme == Scheme.counterpart_cooperation,
            Pairing.base_unit.is_(None),
        )
    ).one()
    assert key.since == 2022
    county = session.exec(select(Pairing).where(Pairing.base_unit == "兴国县")).one()
    assert session.get(City, county.base_city).name == "兴国县"


def test_universities_are_real_and_placed(session: Session) -> None:
    universities = session.exec(select(University)).all()
    assert len(universities) == len(_reference("universities.csv"))
    adcodes = set(session.exec(select(City.adcode)).all())
    assert all(u.city in adcodes for u in universities)
    gnnu = session.exec(select(University).where(University.name == "赣南师范大学")).one()
    assert gnnu.city == "360700"


def test_demo_data_is_plentiful_marked_and_has_planted_duplicates(session: Session) -> None:
    counts = catalogue_counts(session)
    assert counts["enterprises"] >= 500 and counts["experts"] >= 2000 and counts["needs"] >= 500
    for table in (Enterprise, Expert, TalentNeed):
        assert session.exec(select(func.count()).where(table.is_demo.is_(False))).one() == 0
    planted = session.exec(select(Enterprise).where(Enterprise.duplicate_of.is_not(None))).all()
    assert len(planted) >= 10
    original = session.get(Enterprise, planted[0].duplicate_of)
    assert original.hq_city == planted[0].hq_city
    assert session.exec(select(func.count()).where(Expert.duplicate_of.is_not(None))).one() >= 10


def test_needs_are_posts_in_base_area_cities(session: Session) -> None:
    in_base = set(session.exec(select(BaseAreaCity.adcode)).all())
    assert all(n.city in in_base for n in session.exec(select(TalentNeed)).all())


def test_seeding_twice_changes_nothing(session: Session) -> None:
    before = catalogue_counts(session)
    report = seed_catalogue(session)
    session.commit()
    assert set(report.inserted.values()) == {0}
    assert catalogue_counts(session) == before


def test_demo_generation_is_deterministic(session: Session) -> None:
    catalogue = load_demo_catalogue(session)
    first = list(demo.enterprises(catalogue, 50, seed=7))
    again = list(demo.enterprises(catalogue, 50, seed=7))
    other = list(demo.enterprises(catalogue, 50, seed=8))
    assert first == again
    assert first != other
    assert demo.experts(catalogue, 30, seed=7) == demo.experts(catalogue, 30, seed=7)


def test_frameworks_are_one_way_and_cover_the_cities_inside(session: Session) -> None:
    frameworks = session.exec(select(Framework)).all()
    assert len(frameworks) == len(_reference("frameworks.csv")) == 92
    assert all(f.source and f.confidence for f in frameworks)
    jiangsu = session.exec(
        select(Framework).where(Framework.helper == "江苏省", Framework.assisted == "陕西省")
    ).all()
    assert jiangsu and all("610100" in f.assisted_cities for f in jiangsu)  # 西安 is assisted
    assert all("610100" not in f.helper_cities for f in frameworks)  # and never a helper
    guangdong = session.exec(
        select(Framework).where(Framework.programme == "省内对口帮扶(广东)")
    ).one()
    assert "440300" in guangdong.helper_cities and "441500" in guangdong.assisted_cities
    assert guangdong.helper_level == "region" and guangdong.since == 2013
    ended = session.exec(
        select(Framework).where(Framework.programme == "东西部扶贫协作", Framework.round == "1996")
    ).first()
    assert ended.until == 2020
    ne = session.exec(select(Pairing).where(Pairing.scheme == Scheme.northeast_east)).all()
    assert {(p.base_city, p.partner_city) for p in ne} >= {("230100", "440300")}  # 深圳 → 哈尔滨


def test_every_prefecture_has_an_industry_profile_with_its_source(session: Session) -> None:
    cities = session.exec(
        select(City).where(City.level.in_([CityLevel.prefecture, CityLevel.municipality]))
    ).all()
    unprofiled = [c.name for c in cities if not c.industry_keywords]
    assert unprofiled == []
    for city in cities:
        assert city.profile_confidence and city.profile_source
    nanchong = session.get(City, "511300")
    assert nanchong.profile_year and "confidence" in nanchong.profile_source
