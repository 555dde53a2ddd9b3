"""What the benchmark scripts share. They run as scripts (``python benchmarks/engine.py``), so
this folder is first on ``sys.path`` and they import it as ``timing``."""

import statistics
import time
from collections.abc import Callable


def median_ms(call: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` calls, in milliseconds."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)
