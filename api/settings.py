"""API settings, read from the environment (prefix ``COUNTERPART_``)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUNTERPART_", extra="ignore")

    docs_enabled: bool = True
    cors_origins: list[str] = []
    page_size_default: int = 50
    page_size_max: int = 500
    import_max_bytes: int = 50 * 1024 * 1024
    import_max_rows: int = 200_000
    body_max_bytes: int = 1024 * 1024
    header_max_bytes: int = 16 * 1024  # all request header names and values together (431)
    public_read: bool = True  # reading the public catalogue without a key
    rate_limit_enabled: bool = True
    rate_per_minute_key: int = 3000
    rate_per_minute_address: int = 3000
    # "memory://" counts per worker process; "redis://host:6379/0" shares the counts.
    rate_limit_storage: str = "memory://"
    # Proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    trusted_proxies: list[str] = []
    # /health/ready recounts the catalogue at most this often.
    ready_cache_seconds: float = 5.0


@lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
