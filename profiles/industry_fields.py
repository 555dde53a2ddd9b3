"""Fields that take industry codes also take words; resource fields take known words only.

An entry of an industry field (``industry_codes``, ``seeks_industries``) is a GB/T 4754 code of
any level, or a word the resolver places with confidence (锂电 → 3841). Words become codes
before anything is stored, and the word is kept among the record's ``industry_keywords`` when it
has them. A resource word (``needs_resources``, ``resources``) stays a word, but only one the
resolver can place (a bracketed note aside: 锂(锂云母) is 锂): a typo (稀士) is refused with the
words it may have meant (稀土).
Either refusal is an ``InvalidReference`` naming the field and its index, with candidates;
nothing is ever stored under a guessed code.
"""

from collections.abc import Collection
from typing import Any

from pydantic import BaseModel

from matching.industry_words import WordResolution
from profiles.errors import InvalidReference
from profiles.industries import industry_catalogue

INDUSTRY_FIELDS = ("industry_codes", "seeks_industries")
RESOURCE_FIELDS = ("needs_resources", "resources")  # an enterprise's needs, a city's resources
CANDIDATES = 5


class Resolution(BaseModel):
    """How one entry of a request was read."""

    field: str
    input: str
    codes: list[str]
    names: list[str]
    via: str  # code | synonym | name | part | contains | similar
    matched: str
    score: float


def resolve_fields(
    values: dict[str, Any], *, prefix: str = "", known: Collection[str] = (), strict: bool = True
) -> list[Resolution]:
    """Turn the words of ``values``' industry fields into codes, in place; check resource words.

    Returns the report of every entry; raises ``InvalidReference`` on the first word that cannot
    be placed with confidence. A resource word the catalogue's cities already use (``known``:
    大豆, 地热 …) passes as a word even when no code is sure; ``strict=False`` only reports.
    """
    report: list[Resolution] = []
    for field in INDUSTRY_FIELDS:
        if values.get(field):
            values[field] = _industry_codes(values, field, prefix, report)
    for field in RESOURCE_FIELDS:
        for index, word in enumerate(values.get(field) or ()):
            accepted = word in known or not strict
            answer = _placed(f"{prefix}{field}.{index}", word, resource=True, accepted=accepted)
            report.append(_report(f"{prefix}{field}", word, answer))
    return report


def takes_words(shape: type[BaseModel]) -> bool:
    """Whether a request shape has industry or resource fields."""
    return any(f in shape.model_fields for f in (*INDUSTRY_FIELDS, *RESOURCE_FIELDS))


def report_for(data: BaseModel, *, prefix: str = "") -> list[Resolution]:
    """How the entries of a request that was accepted were read (answers are memoised)."""
    return resolve_fields(data.model_dump(exclude_unset=True), prefix=prefix, strict=False)


def resolve_filter(field: str, value: str) -> list[str]:
    """The codes an industry filter names (a code, or a word placed with confidence)."""
    return list(_placed(field, value.strip(), resource=False).codes)


def _industry_codes(
    values: dict[str, Any], field: str, prefix: str, report: list[Resolution]
) -> list[str]:
    codes: list[str] = []
    words: list[str] = []
    for index, entry in enumerate(values[field]):
        answer = _placed(f"{prefix}{field}.{index}", entry, resource=False)
        codes.extend(answer.codes)
        report.append(_report(f"{prefix}{field}", entry, answer))
        if answer.candidates[0].via != "code":
            words.append(entry)
    if words and field == "industry_codes" and "industry_keywords" in values:
        values["industry_keywords"] = list(dict.fromkeys([*values["industry_keywords"], *words]))
    return list(dict.fromkeys(codes))


def _placed(field: str, word: str, *, resource: bool, accepted: bool = False) -> WordResolution:
    catalogue = industry_catalogue()
    answer = catalogue.resolve_noted(word) if resource else catalogue.resolve(word)
    if answer.certain or accepted:
        return answer
    if resource:
        shown = list(dict.fromkeys(c.matched for c in answer.candidates))[:CANDIDATES]
        candidates = [
            {"word": w, "score": max(c.score for c in answer.candidates if c.matched == w)}
            for w in shown
        ]
        hint = f"; did you mean {'、'.join(shown)}?" if shown else ""
        raise InvalidReference(
            field, word, f"'{word}' is not a resource word we know{hint}", candidates
        )
    candidates = [
        {"code": c.code, "name": c.name, "score": round(c.score, 1)}
        for c in answer.candidates[:CANDIDATES]
    ]
    listed = "、".join(f"{c['code']} {c['name']}" for c in candidates[:3])
    reason = (
        f"'{word}' may name several industries ({listed} …); write one of the candidate codes "
        "or a more precise word"
        if candidates
        else f"'{word}' is neither a GB/T 4754 code nor an industry word we can place"
    )
    raise InvalidReference(field, word, reason, candidates)


def _report(field: str, word: str, answer: WordResolution) -> Resolution:
    names = industry_catalogue().by_code
    first = answer.candidates[0] if answer.candidates else None
    return Resolution(
        field=field,
        input=word,
        codes=list(answer.codes),
        names=[names[c].name for c in answer.codes],
        via=first.via if first else "similar",
        matched=first.matched if first else "",
        score=round(first.score, 1) if first else 0.0,
    )
