"""Batch work on a Dask cluster, when ``COUNTERPART_DASK_SCHEDULER=tcp://host:8786`` is set.

The job keeps the store: it reads what to do, splits it into blocks (enterprises by id range,
names by blocking key), and writes every result back itself, in block order, logging its
progress. The workers only compute: what a block needs beyond itself (the job's ``Engine``
with the exact model versions in use, the name normaliser) is scattered to every worker once,
so each block is computed as the job would compute it in-process, and the results are the
same. Without the setting dask is never imported and jobs run in their own process as
before. Dask is an optional extra: ``pip install -e '.[dask]'``.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np

from matching.engine import Engine
from matching.records import EnterpriseArrays

log = logging.getLogger("counterpart.jobs")
BLOCK = 50_000  # enterprises per task
Shared = TypeVar("Shared")
Block = TypeVar("Block")
Result = TypeVar("Result")


def connect(address: str) -> Any:
    """A ``distributed.Client`` for the scheduler at ``address``."""
    try:
        from distributed import Client
    except ImportError as missing:  # pragma: no cover - the extra is installed in CI
        raise RuntimeError(
            "COUNTERPART_DASK_SCHEDULER is set but dask is not installed: pip install -e '.[dask]'"
        ) from missing
    return Client(address)


def ordered(
    client: Any,
    function: Callable[[Shared, Block], Result],
    shared: Shared,
    blocks: Sequence[Block],
    *,
    what: str,
) -> Iterator[tuple[Block, Result]]:
    """``function(shared, block)`` for every block on the workers of ``client``'s cluster,
    yielded in block order as they complete (``shared`` goes to each worker once)."""
    # its own key (no content hash): an earlier call's release of equal data cannot drop it
    remote = client.scatter(shared, broadcast=True, hash=False)
    futures = [client.submit(function, remote, b, pure=False) for b in blocks]
    try:
        for n, (block, future) in enumerate(zip(blocks, futures, strict=True), start=1):
            yield block, future.result()
            log.info("dask: %s, block %d of %d done", what, n, len(blocks))
    finally:
        client.cancel(futures)


def score_sites(
    engine: Engine, block: EnterpriseArrays, k: int
) -> tuple[str, np.ndarray, np.ndarray]:
    """(the site model's version, top-k city rows, scores) of a block, as ``Engine.batch_sites``."""
    top, scores = engine.batch_sites(block, k=k)
    return engine.site_model.version, top, scores


def id_ranges(arrays: EnterpriseArrays, block: int = BLOCK) -> list[EnterpriseArrays]:
    """``arrays`` (in id order) as consecutive blocks of ``block`` enterprises."""
    return [
        arrays.subset(np.arange(begin, min(begin + block, len(arrays))))
        for begin in range(0, len(arrays), block)
    ]
