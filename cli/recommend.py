"""``counterpart recommend``, ``train`` and ``evaluate`` (``--sites``): the ranking engine from a terminal."""

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

    from profiles import opportunities, training
    from profiles.db import get_engine
    from profiles.ranking import EngineState

    prepare_store(seed=True)
    started = time.perf_counter()
    with Session(get_engine()) as session:
        run = training.train(session, registry(), promote=promote, evaluate=True)
        scorer = opportunities.learn_from_pipeline(session, EngineState(registry()))
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
    table = run.report.table["grouped"]["all"].mean
    typer.echo(
        f"held-out MRR {table['engine']['mrr']:.3f} (gravity {table['gravity']['mrr']:.3f}); "
        f"trained in {time.perf_counter() - started:.1f} s"
    )
    for name, weight in sorted(run.city.ranker.weights_table().items(), key=lambda kv: -abs(kv[1])):
        typer.echo(f"  {name:18} {weight:+.3f}")
    city = run.city.metrics
    typer.echo(
        f"city model: learned {run.city.ranker.learned_} from {city.get('pairings', 0)} pairings, "
        f"{city.get('verdicts', 0)} verdicts and {city.get('outcomes', 0)} pipeline outcomes"
    )
    facts = run.site.metrics
    typer.echo(
        f"site model: learned {facts.get('learned')} from {facts.get('cases', 0)} real investments "
        f"({facts.get('clusters', 0)} clusters), {facts.get('verdicts', 0)} verdicts and "
        f"{facts.get('outcomes', 0)} pipeline outcomes; "
        f"could not train: {facts.get('skipped') or 'none'}"
    )
    typer.echo(
        f"opportunity scorer: {scorer.model}, from {scorer.labels} pipeline outcomes "
        "naming an opportunity"
    )


def evaluate(
    folds: Annotated[
        int, typer.Option(min=2, max=20, help="Cross-validation folds (by base city).")
    ] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the random baseline.")] = 0,
    sites: Annotated[
        bool,
        typer.Option(
            "--sites",
            help="The site ranker on real investments: grouped by enterprise and by site city.",
        ),
    ] = False,
    boot: Annotated[int, typer.Option(min=10, help="Bootstrap resamples (--sites).")] = 2000,
    ablation: Annotated[
        bool, typer.Option("--ablation", help="Held-out MRR without each feature (--sites).")
    ] = False,
) -> None:
    """Held-out rankings beside the baselines: city pairs by base city and leaving one scheme
    out, per scheme and per region, with bootstrap intervals; or ``--sites``: the site ranker on
    real investments, held out by enterprise cluster and by site city."""
    from sqlmodel import Session

    from matching.evaluation import cross_validate
    from matching.records import CityArrays
    from profiles.db import get_engine
    from profiles.ranking import site_ablation, site_evaluation
    from profiles.snapshot import load_snapshot

    prepare_store(seed=True)
    if sites:
        with Session(get_engine()) as session:
            typer.echo(site_evaluation(session, folds=folds, boot=boot, seed=seed).format())
            if ablation:
                for grouping, table in site_ablation(session, folds=folds).items():
                    typer.echo(f"\nablation, held out by {grouping} (ranker MRR):")
                    for name, mrr in table.items():
                        typer.echo(f"  {name:22} {mrr:.3f}")
        return
    with Session(get_engine()) as session:
        snapshot = load_snapshot(session)
    report = cross_validate(
        CityArrays(snapshot.cities),
        snapshot.pairings,
        snapshot.frameworks,
        folds=folds,
        random_state=seed,
    )
    typer.echo(report.format())
    ahead = all(report.ahead_of("gravity", protocol) for protocol in ("grouped", "loso"))
    typer.echo(
        "engine ahead of gravity on MRR, overall and leaving one scheme out: "
        + ("yes" if ahead else "NO")
    )
    if not ahead:
        raise typer.Exit(1)


def recommend(
    subject: Annotated[
        str,
        typer.Argument(
            help="A city that asks for partners (adcode or any name: 赣州, ganzhou …); with "
            "--base-cities a helper city (深圳); with --sites an enterprise id."
        ),
    ],
    mode: Annotated[str | None, typer.Option(help="Slug or label, e.g. 研发+制造.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    base_cities: Annotated[
        bool, typer.Option("--base-cities", help="Base cities the helper city could support.")
    ] = False,
    sites: Annotated[
        bool, typer.Option("--sites", help="Relocation sites for the enterprise with this id.")
    ] = False,
    exclude_existing: Annotated[
        bool, typer.Option("--exclude-existing", help="Leave out existing pairings.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print one CSV row per item.")] = False,
) -> None:
    """Print ranked partners (or base cities, or sites), with reasons, distances and data gaps."""
    from sqlmodel import Session

    from matching.engine import HelperCity
    from matching.modes import mode_of
    from profiles import recommending
    from profiles.db import get_engine
    from profiles.errors import DomainError, InvalidReference, NotFound
    from profiles.ranking import EngineState

    if base_cities and sites:
        raise typer.BadParameter("choose one of --base-cities and --sites", param_hint="--sites")
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--csv")
    prepare_store(seed=True)
    try:
        chosen = mode_of(mode) if mode else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--mode") from error
    state = EngineState(registry())
    with Session(get_engine()) as session:
        try:
            if sites:
                if not subject.isdigit():
                    raise typer.BadParameter("an enterprise id (a number)", param_hint="SUBJECT")
                answer = recommending.sites_for_enterprise(
                    session, state, enterprise_id=int(subject), mode=chosen, limit=limit
                )
            else:
                ask = recommending.base_cities if base_cities else recommending.partners
                answer = ask(
                    session,
                    state,
                    city=subject,
                    mode=chosen,
                    limit=limit,
                    exclude_existing=exclude_existing,
                )
        except InvalidReference as error:
            options = "".join(f"\n  {c['adcode']} {c['name']}" for c in error.candidates)
            raise typer.BadParameter(f"{error.reason}{options}", param_hint="SUBJECT") from error
        except (HelperCity, NotFound, DomainError) as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(2) from error
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    elif as_csv:
        typer.echo(_recommendations_csv(answer.items), nl=False)
    else:
        _print_recommendations(answer, chosen)


def _recommendations_csv(items: list) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["rank", "adcode", "name", "province", "score", "mode", "distance_km", "longitude",
         "latitude", "existing", "frameworks", "data_gaps", "reasons"]
    )  # fmt: skip
    for item in items:
        existing = item.existing_pairing.labels if item.existing_pairing else []
        writer.writerow(
            [item.rank, item.city.adcode, item.city.name, item.city.province, item.score,
             item.mode_label, item.distance_km, item.city.longitude, item.city.latitude,
             "|".join(existing), "|".join(item.frameworks),
             "|".join(g.text for g in item.data_gaps), "|".join(r.text for r in item.reasons)]
        )  # fmt: skip
    return buffer.getvalue()


def _print_recommendations(answer, chosen) -> None:
    subject = getattr(answer, "city", None)
    title = f"{subject.name}（{subject.adcode}）" if subject else answer.enterprise.get("name", "")
    typer.echo(
        f"{title} · 模式：{chosen.label if chosen else '综合'} · 模型 {answer.model_version}"
    )
    for item in answer.items:
        flag = ""
        if item.existing_pairing:
            flag = "  [已结对：" + "、".join(item.existing_pairing.labels) + "]"
        km = f"{item.distance_km:,.0f} 公里" if item.distance_km is not None else ""
        typer.echo(
            f"{item.rank:>3}. {item.city.name:<8} {item.score:.3f}  {item.mode_label}  {km}{flag}"
        )
        for reason in item.reasons:
            low = (
                "（可信度低）"
                if reason.confidence == "low" and "可信度低" not in reason.text
                else ""
            )
            typer.echo(f"       · {reason.text}{low}  ({reason.contribution:+.2f})")
        for gap in item.data_gaps:
            typer.echo(f"       ? {gap.text}")
