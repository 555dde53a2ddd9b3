"""A real ``counterpart serve`` process on 127.0.0.1, to kill and restart."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

COUNTERPART = str(Path(sys.executable).with_name("counterpart"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(
        self,
        database: str,
        model_dir: Path,
        workdir: Path,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (workdir / f"server-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [
                COUNTERPART,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-seed",
                "--workers",
                str(workers),
            ],
            env=os.environ
            | {"DATABASE_URL": database, "COUNTERPART_MODEL_DIR": str(model_dir)}
            | (env or {}),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            start_new_session=True,
        )
        self._wait()

    def _wait(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}; see {self.log.name}"
                )
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("server did not start")

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn and its workers): no chance to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *_: object) -> None:
        self.kill()
