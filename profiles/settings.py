"""Store settings, read from the environment (``DATABASE_URL`` …)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class StoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = "sqlite:///./counterpart.db"
    # FastAPI runs sync routes in a 40-thread pool; size the pool to match.
    pool_size: int = 40
    sqlite_busy_timeout_ms: int = 15_000
    # NORMAL with WAL: a committed transaction survives a process crash; only a power loss
    # can drop the last commits. FULL also survives power loss at a write-latency cost.
    sqlite_synchronous: str = "NORMAL"
    # No single statement may run longer than this (PostgreSQL statement_timeout; on SQLite a
    # progress handler interrupts it). Background jobs run their own long work in many statements.
    query_timeout_ms: int = 30_000


@lru_cache
def get_settings() -> StoreSettings:
    return StoreSettings()


class PipelineSettings(BaseSettings):
    """How the pipeline reads silence: a recommendation left at 推荐 this long was ignored (a weak
    negative label); a pairing without activity for this many months is flagged for review."""

    model_config = SettingsConfigDict(env_prefix="COUNTERPART_PIPELINE_", extra="ignore")

    ignored_after_days: int = 90
    inactive_months: int = 6


@lru_cache
def get_pipeline_settings() -> PipelineSettings:
    return PipelineSettings()
