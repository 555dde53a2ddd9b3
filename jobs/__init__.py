"""Background work: retraining, cache refresh, duplicate audit, stale profiles, webhook delivery."""
