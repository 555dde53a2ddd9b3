"""``counterpart recommend``, ``train`` and ``evaluate``: the ranking engine from a terminal."""

import time
from typing import Annotated

import typer

from cli.store import prepare_store, registry


def train(
    promote: Annotated[
        bool,
        typer.Option(
            help="Make the new models the current ones (the city model only if it ranks the"
            " current pairings no worse than the one in use)."
        ),
    ] = True,
) -> None:
    """Fit the rankers on the stored pairings and feedback; save them with a version."""
    from sqlmodel import Session

    from profiles import training
    from profiles.db import get_engine

    prepare_store(seed=True)
    started = time.perf_counter()
    with Session(get_engine()) as session:
        run = training.train(session, registry(), promote=promote, evaluate=True)
    for kind, model in (("city", run.city), ("site", run.site)):
        typer.echo(f"{kind}: {model.version}  fingerprint {model.fingerprint}  → {run.paths[kind]}")
    previous = "none" if run.previous_mrr is None else f"{run.previous_mrr:.3f}"
    verdict = (
        "promoted"
        if run.promoted
        else "saved, not promoted: worse than the model in use"
        if promote
        else "saved, not promoted (--no-promote)"
    )
    typer.echo(f"MRR on the current pairings {run.mrr:.3f} (model in use {previous}): {verdict}")
    assert run.report is not None
    table = run.report.table["all"]
    typer.echo(
        f"held-out MRR {table['engine']['mrr']:.3f} (gravity {table['gravity']['mrr']:.3f}); "
        f"trained in {time.perf_counter() - started:.1f} s"
    )
    for name, weight in sorted(run.city.ranker.weights_table().items(), key=lambda kv: -abs(kv[1])):
        typer.echo(f"  {name:18} {weight:+.3f}")


def evaluate(
    folds: Annotated[
        int, typer.Option(min=2, max=20, help="Cross-validation folds (by base city).")
    ] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the random baseline.")] = 0,
) -> None:
    """Grouped cross-validation on the real pairings, beside the baselines, per scheme."""
    from sqlmodel import Session

    from matching.evaluation import cross_validate
    from matching.records import CityArrays
    from profiles.db import get_engine
    from profiles.snapshot import load_snapshot

    prepare_store(seed=True)
    with Session(get_engine()) as session:
        snapshot = load_snapshot(session)
    report = cross_validate(
        CityArrays(snapshot.cities),
        snapshot.pairings,
        snapshot.province_pairs,
        folds=folds,
        random_state=seed,
    )
    typer.echo(report.format())
    ahead = all(report.beats_baselines("mrr", scheme) for scheme in report.table)
    typer.echo(f"engine ahead of every baseline on MRR in every scheme: {'yes' if ahead else 'NO'}")
    if not ahead:
        raise typer.Exit(1)


def recommend(
    city: Annotated[str, typer.Argument(help="A base city: adcode or any name (赣州, ganzhou …).")],
    mode: Annotated[str | None, typer.Option(help="Slug or label, e.g. 研发+制造.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Print the ranked partner cities for a base city, with reasons."""
    from sqlmodel import Session

    from matching.modes import mode_of
    from profiles.db import get_engine
    from profiles.errors import InvalidReference
    from profiles.ranking import EngineState
    from profiles.repository import resolve_city

    prepare_store(seed=True)
    try:
        chosen = mode_of(mode) if mode else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--mode") from error
    with Session(get_engine()) as session:
        try:
            adcode = resolve_city(session, value=city, field="city")
        except InvalidReference as error:
            options = "".join(f"\n  {c['adcode']} {c['name']}" for c in error.candidates)
            raise typer.BadParameter(f"{error.reason}{options}", param_hint="CITY") from error
        engine = EngineState(registry()).get(session)
        items = engine.partners(adcode, mode=chosen, limit=limit)
    base = engine.cities.records[engine.cities.index[adcode]]
    typer.echo(
        f"{base.name}（{adcode}）的推荐合作城市 · 模式：{chosen.label if chosen else '综合'} · "
        f"模型 {engine.city_model.version}"
    )
    for item in items:
        partner = engine.cities.records[engine.cities.index[item.key]]
        flag = "  [已结对: " + ",".join(item.existing) + "]" if item.existing else ""
        typer.echo(f"{item.rank:>3}. {partner.name:<8} {item.score:.3f}  {item.mode.label}{flag}")
        for reason in item.reasons:
            typer.echo(f"       · {reason.text}  ({reason.contribution:+.2f})")
