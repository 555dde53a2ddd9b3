"""Backups are consistent while others write, and restore brings the store back."""

import threading
import time
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from profiles.backup import backup, restore
from profiles.kinds import KINDS
from profiles.models import Enterprise, EnterpriseCreate
from profiles.repository import create_profile


def test_backup_under_write_load_then_restore(engine: Engine, tmp_path: Path) -> None:
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            with Session(engine) as session:
                create_profile(
                    session,
                    kind=KINDS["enterprises"],
                    data=EnterpriseCreate(
                        name=f"备份压力{n}有限公司", hq_city="440300", industry_codes=["39"]
                    ),
                )
                session.commit()
            written.append(n)
            n += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    time.sleep(0.5)
    path = backup(engine, tmp_path / "snapshot.backup")
    time.sleep(0.3)
    stop.set()
    thread.join()
    with Session(engine) as session:
        live = session.exec(select(func.count()).select_from(Enterprise)).one()
    assert written and path.stat().st_size > 0
    restore(engine, path)
    with Session(engine) as session:
        restored = session.exec(select(func.count()).select_from(Enterprise)).one()
        names = session.exec(
            select(Enterprise.name).where(Enterprise.name.startswith("备份压力"))
        ).all()
    assert 612 < restored < live  # a snapshot taken mid-load: some of the writes, none half-made
    numbers = sorted(int(n.removeprefix("备份压力").removesuffix("有限公司")) for n in names)
    assert numbers == list(range(len(numbers)))  # a prefix of the writes: consistent, no gaps
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
