"""Console settings, read from the environment (prefix ``COUNTERPART_CONSOLE_``)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUNTERPART_CONSOLE_", extra="ignore")

    # The key that signs session cookies. Unset: a random one is created once in ``secret_file``
    # (shared by every worker on the host; set ``COUNTERPART_CONSOLE_SECRET`` across hosts).
    secret: str | None = None
    secret_file: Path = Path("var/console-secret")
    session_hours: int = 12
    secure_cookie: bool = False  # set true behind HTTPS


@lru_cache
def get_console_settings() -> ConsoleSettings:
    return ConsoleSettings()
