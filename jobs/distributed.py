"""Batch scoring on a Dask cluster, when ``COUNTERPART_DASK_SCHEDULER=tcp://host:8786`` is set.

The job keeps the store: it reads what changed, splits the enterprises into blocks by id range
(``EnterpriseArrays`` are in id order), and writes every result back itself, block by block in
id order, logging its progress. The workers only score: the job's ``Engine`` (its city arrays
and the exact model versions in use) is scattered to every worker once, so each block is
scored by the same model version as the job would use in-process, and the results are the
same as ``Engine.batch_sites``. Without the setting nothing here is imported and jobs run in
their own process as before. Dask is an optional extra: ``pip install -e '.[dask]'``.
"""

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np

from matching.engine import Engine
from matching.records import EnterpriseArrays

log = logging.getLogger("counterpart.jobs")
BLOCK = 50_000  # enterprises per task


def connect(address: str) -> Any:
    """A ``distributed.Client`` for the scheduler at ``address``."""
    try:
        from distributed import Client
    except ImportError as missing:  # pragma: no cover - the extra is installed in CI
        raise RuntimeError(
            "COUNTERPART_DASK_SCHEDULER is set but dask is not installed: pip install -e '.[dask]'"
        ) from missing
    return Client(address)


def _score(engine: Engine, block: EnterpriseArrays, k: int) -> tuple[str, np.ndarray, np.ndarray]:
    top, scores = engine.batch_sites(block, k=k)
    return engine.site_model.version, top, scores


def batch_sites(
    client: Any, engine: Engine, arrays: EnterpriseArrays, *, k: int, block: int = BLOCK
) -> Iterator[tuple[EnterpriseArrays, np.ndarray, np.ndarray]]:
    """(block, top city rows, scores) for consecutive id ranges of ``arrays``, in id order,
    each scored on a worker of ``client``'s cluster."""
    shared = client.scatter(engine, broadcast=True)
    blocks = [
        arrays.subset(np.arange(begin, min(begin + block, len(arrays))))
        for begin in range(0, len(arrays), block)
    ]
    futures = [client.submit(_score, shared, b, k, pure=False) for b in blocks]
    try:
        for n, (subset, future) in enumerate(zip(blocks, futures, strict=True)):
            version, top, scores = future.result()
            if version != engine.site_model.version:  # pragma: no cover - a guard, not a path
                raise RuntimeError(f"a worker scored with model {version}")
            log.info(
                "dask: block %d of %d scored (%d enterprises)", n + 1, len(blocks), len(subset)
            )
            yield subset, top, scores
    finally:
        client.cancel(futures)
