"""Saved models on disk: every version kept, one promoted as current per kind."""

import json
from dataclasses import dataclass
from pathlib import Path

from matching.features import CITY_FEATURES, SITE_FEATURES
from matching.ranker import SavedModel

FEATURES = {"city": CITY_FEATURES, "site": SITE_FEATURES}


@dataclass
class ModelRegistry:
    directory: Path

    @property
    def _pointer(self) -> Path:
        return self.directory / "current.json"

    def _current(self) -> dict[str, str]:
        return json.loads(self._pointer.read_text()) if self._pointer.exists() else {}

    def save(self, kind: str, model: SavedModel, *, promote: bool = True) -> Path:
        path = model.save(self.directory / f"{model.version}.joblib")
        if promote:
            self.promote(kind, model.version)
        return path

    def promote(self, kind: str, version: str) -> None:
        if not (self.directory / f"{version}.joblib").exists():
            raise FileNotFoundError(f"no saved model {version}")
        current = self._current() | {kind: version}
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self._pointer.with_suffix(".tmp")
        temporary.write_text(json.dumps(current, indent=2))
        temporary.replace(self._pointer)

    def pointer_stamp(self) -> tuple[int, int] | None:
        """When the promoted versions last changed (a stat, no read): a cheap version check."""
        try:
            status = self._pointer.stat()
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_mtime_ns

    def current_version(self, kind: str) -> str | None:
        return self._current().get(kind)

    def load(self, kind: str, version: str | None = None) -> SavedModel | None:
        """The promoted (or named) model of ``kind``; None if none is saved or it is stale."""
        version = version or self.current_version(kind)
        if version is None:
            return None
        try:
            return SavedModel.load(
                self.directory / f"{version}.joblib", feature_names=FEATURES[kind]
            )
        except (FileNotFoundError, ValueError, AttributeError, ModuleNotFoundError):
            return None

    def versions(self, kind: str) -> list[str]:
        return sorted(p.stem for p in self.directory.glob(f"{kind}-*.joblib"))
