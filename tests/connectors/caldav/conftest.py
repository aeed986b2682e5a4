"""A real CalDAV server for the tests: Radicale on loopback, with a plain htpasswd login, per test."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pytest
from caldav.collection import Calendar
from caldav.davclient import DAVClient

USER = "alice"
PASSWORD = "correct horse battery"
PASSWORD_ENV = "HOMEBODY_CALDAV_PASSWORD_ALICE"
FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Radicale:
    """A running Radicale: where it listens, and how to put calendars into it."""

    port: int

    @property
    def home(self) -> str:
        """The calendar home a user would add: http://alice@127.0.0.1:PORT/alice/."""
        return f"http://{USER}@127.0.0.1:{self.port}/{USER}/"

    def client(self) -> DAVClient:
        """A logged-in caldav client, for setting up calendars."""
        return DAVClient(
            url=f"http://127.0.0.1:{self.port}/{USER}/",
            username=USER,
            password=PASSWORD,
            require_tls=False,
            enable_rfc6764=False,
            timeout=10,
        )

    def calendar(self, cal_id: str, name: str, *fixtures: str) -> str:
        """Make a calendar and PUT each fixture's events and to-dos into it, one object per UID."""
        with self.client() as client:
            calendar = client.principal().make_calendar(name=name, cal_id=cal_id)
            for fixture in fixtures:
                for text in split((FIXTURES / fixture).read_bytes()):
                    _put(calendar, text)
            return str(calendar.url)


def _put(calendar: Calendar, text: str) -> None:
    if "BEGIN:VTODO" in text:
        calendar.add_todo(text)
    else:
        calendar.add_event(text)


def split(data: bytes) -> list[str]:
    """One VCALENDAR per component with a UID, keeping the calendar's properties and zones."""
    source = icalendar.Calendar.from_ical(data)
    zones = [c for c in source.subcomponents if c.name == "VTIMEZONE"]
    out = []
    for component in source.subcomponents:
        if component.name not in ("VEVENT", "VTODO"):
            continue
        single = icalendar.Calendar()
        for key, value in source.property_items(recursive=False)[1:-1]:
            if key != "METHOD":  # RFC 4791 section 4.1: no METHOD in a calendar object resource
                single.add(key, value)
        for zone in zones:
            single.add_component(zone)
        single.add_component(component)
        out.append(single.to_ical().decode("utf-8"))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def radicale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Radicale]:
    """Radicale on a free loopback port, its collections in tmp_path; stopped and waited for after."""
    port = _free_port()
    users = tmp_path / "users"
    users.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    config = tmp_path / "radicale.conf"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {users}\nhtpasswd_encryption = plain\n"
        f"[storage]\nfilesystem_folder = {tmp_path / 'collections'}\n"
        "[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    log = (tmp_path / "radicale.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and a config we wrote
        [sys.executable, "-m", "radicale", "--config", str(config)], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"radicale did not start: {(tmp_path / 'radicale.log').read_text()}")
                time.sleep(0.05)
        monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
        yield Radicale(port)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
