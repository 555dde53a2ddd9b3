"""The refresh job's cache rows: JSON text built from pieces reads as ``json.dumps`` wrote it."""

import json

import numpy as np
from sqlmodel import Session, select

from jobs import tasks
from jobs.cache import ItemTexts
from jobs.tasks import Context
from profiles.models import RecommendationCache


def test_item_texts_read_as_the_rounded_scores() -> None:
    adcodes = ["360700", "110000", "440300"]
    rng = np.random.default_rng(4)
    halves = (np.arange(40, dtype=np.float32) + 0.5) / 10_000  # ties at the 5th place
    scores = np.concatenate([rng.random(160, dtype=np.float32), halves, [0.0, 1.0, 5e-5, 0.99995]])
    scores = scores.astype(np.float32).reshape(-1, 3)
    top = rng.integers(0, 3, size=scores.shape)
    texts = ItemTexts(adcodes)(top, scores)
    expected = [
        [{"key": adcodes[c], "score": round(float(s), 4)} for c, s in zip(row, values, strict=True)]
        for row, values in zip(top.tolist(), scores, strict=True)
    ]
    assert [json.loads(t) for t in texts] == expected
    assert ItemTexts(adcodes)(np.zeros((2, 0), dtype=int), np.zeros((2, 0))) == ["[]", "[]"]


def test_refresh_writes_each_enterprise_its_batch_top_k(ctx: Context) -> None:
    assert tasks.run(ctx, "refresh").status == "succeeded"
    with Session(ctx.engine) as session:
        engine = ctx.state.get(session)
        arrays = ctx.state.enterprises(session, engine)
        stored = {
            r.subject: r
            for r in session.exec(
                select(RecommendationCache).where(RecommendationCache.subject.like("enterprise:%"))  # type: ignore[attr-defined]
            )
        }
    top, scores = engine.batch_sites(arrays, k=ctx.settings.refresh_top_k)
    assert len(stored) == len(arrays) > 600
    for n, enterprise in enumerate(arrays.ids.tolist()):
        row = stored[f"enterprise:{enterprise}"]
        assert row.model_version == engine.site_model.version
        assert row.items == [
            {"key": engine.cities.records[c].adcode, "score": round(float(s), 4)}
            for c, s in zip(top[n], scores[n], strict=True)
        ]
