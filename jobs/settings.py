"""Job, scheduler and webhook settings, from the environment (prefix ``COUNTERPART_``)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class JobSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUNTERPART_", extra="ignore")

    scheduler_enabled: bool = True
    # Schedules in cron syntax (minute hour day month weekday), local to UTC.
    schedule_retrain: str = "30 2 * * *"
    schedule_refresh: str = "*/30 * * * *"
    schedule_dedupe_audit: str = "15 3 * * *"
    schedule_stale_profiles: str = "45 3 * * 1"
    schedule_deliver: str = "* * * * *"
    schedule_expire_opportunities: str = "5 0 * * *"
    schedule_match_opportunities: str = "*/30 * * * *"
    misfire_grace_seconds: int = 900  # a run late by up to this still runs, once (runs coalesce)
    job_timeout_seconds: int = 1800
    lease_seconds: int = 30
    refresh_top_k: int = 10
    # tcp://host:8786: refresh and bulk scoring run on this Dask cluster (the [dask] extra)
    dask_scheduler: str | None = None
    stale_after_years: int = 3
    unconfirmed_after_days: int = 365
    duplicate_threshold: float = 92.0
    opportunity_match_min_score: float = 0.5  # a strong match, announced as opportunity.matched
    opportunity_match_top_k: int = 5
    webhook_max_attempts: int = 8
    webhook_backoff_seconds: float = 30.0
    webhook_connect_timeout: float = 3.0
    webhook_read_timeout: float = 10.0
    webhook_max_response_bytes: int = 64 * 1024
    webhook_allow_private: bool = False  # allow loopback and private addresses (local testing)
    webhook_allowed_hosts: list[str] = []  # host names exempt from the private-address rule


@lru_cache
def get_job_settings() -> JobSettings:
    return JobSettings()
