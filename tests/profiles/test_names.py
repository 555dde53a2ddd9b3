"""Tolerant resolution of places, industries and organisation names."""

import pytest
from sqlmodel import Session, select

from profiles.industries import industry_catalogue
from profiles.models import City, CityUpdate, Enterprise, Expert
from profiles.names import AmbiguousName, NameNotFound, OrgNames, short_name
from profiles.repository import city_index, org_names, update_city


@pytest.mark.parametrize(
    "query", ["赣州", "赣州市", "ganzhou", "Gan Zhou", "GANZHOU", "赣洲", "ganzhoushi"]
)
def test_every_spelling_of_ganzhou_resolves(session: Session, query: str) -> None:
    adcode, _ = city_index(session).resolve(query)
    assert adcode == "360700"


@pytest.mark.parametrize(
    ("query", "adcode"),
    [
        ("吉安县", "360821"),  # county and prefecture differ by one character
        ("吉安", "360800"),  # both match; the prefecture wins the tie
        ("赣县", "360721"),
        ("恩施州", "422800"),
        ("恩施土家族苗族自治州", "422800"),
        ("黔东南", "522600"),
        ("黔东南苗族侗族自治洲", "522600"),  # typo in a 自治州 name
        ("延边朝鲜族自治州", "222400"),
        ("beijing", "110000"),
        ("六安", "341500"),
        ("内蒙古", "150000"),
    ],
)
def test_places_resolve_by_name_alias_pinyin_and_typo(
    session: Session, query: str, adcode: str
) -> None:
    assert city_index(session).resolve(query)[0] == adcode


@pytest.mark.parametrize(
    ("query", "expected"), [("fuzhou", {"350100", "361000"}), ("taizhou", {"331000", "321200"})]
)
def test_pinyin_collisions_are_ambiguous_not_guessed(
    session: Session, query: str, expected: set[str]
) -> None:
    index = city_index(session)
    with pytest.raises(AmbiguousName) as caught:
        index.resolve(query)
    assert {index.keys[c.index] for c in caught.value.candidates} == expected


def test_unknown_place_is_not_found(session: Session) -> None:
    with pytest.raises(NameNotFound):
        city_index(session).resolve("亚特兰蒂斯")


def test_candidates_are_scored_best_first(session: Session) -> None:
    found = city_index(session).search("赣洲", limit=5)
    assert found[0][0] == "360700"
    scores = [c.score for _, c in found]
    assert scores == sorted(scores, reverse=True)


def test_city_index_follows_changes(session: Session) -> None:
    assert city_index(session).search("测试新城", limit=1, cutoff=90) == []
    update_city(session, adcode="360700", data=CityUpdate(name="测试新城"))
    session.commit()
    assert city_index(session).resolve("测试新城")[0] == "360700"


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("赣州市", "赣州"),
        ("恩施土家族苗族自治州", "恩施"),
        ("广西壮族自治区", "广西"),
        ("西藏自治区", "西藏"),
        ("赣县", "赣县"),
    ],
)
def test_short_names(name: str, short: str) -> None:
    assert short_name(name) == short


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("电子信息", "39"),
        ("稀土", "09"),
        ("稀土", "32"),
        ("新能源汽车", "36"),
        ("赣南脐橙", "01"),
        ("计算机、通信设备", "39"),
    ],
)
def test_industry_words_map_onto_gbt4754(word: str, code: str) -> None:
    assert code in {c[:2] for c in industry_catalogue().codes_for(word)}


def test_unknown_industry_words_map_to_nothing() -> None:
    assert industry_catalogue().codes_for("量子波动速读") == []


def test_organisation_near_duplicates_meet(session: Session) -> None:
    names = org_names(session)
    assert (
        names.core("深圳市某某科技有限公司") == names.core("某某科技（深圳）有限公司") == "某某科技"
    )
    assert names.core("中山大学") == "中山大学"  # a place-like 字号 is not stripped mid-name
    pairs = names.near_duplicates(
        ["深圳市某某科技有限公司", "赣州稀土集团", "某某科技（深圳）有限公司"]
    )
    assert [(i, j) for i, j, _ in pairs] == [(0, 2)]


@pytest.mark.parametrize("table", [Enterprise, Expert])
def test_planted_demo_duplicates_are_detected(session: Session, table: type) -> None:
    rows = session.exec(select(table).where(table.archived.is_(False))).all()
    ids = [r.id for r in rows]
    label = (lambda r: r.name) if table is Enterprise else (lambda r: f"{r.name}{r.affiliation}")
    found = {
        frozenset((ids[i], ids[j]))
        for i, j, _ in OrgNames([c for c in session.exec(select(City.name)).all()]).near_duplicates(
            [label(r) for r in rows]
        )
    }
    planted = {frozenset((r.id, r.duplicate_of)) for r in rows if r.duplicate_of}
    assert planted and planted <= found
