"""The embedded engine: structured answers in-process, and no network port opened for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from homebody.models.base import Message
from homebody.models.embedded import EmbeddedChat
from homebody.models.files import default_llm


def _listening_tcp_ports() -> set[str]:
    """Addresses this process listens on (other processes on the machine may open and close theirs)."""
    own = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            own.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if Path(table).exists():
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in own:  # LISTEN, on a socket of ours
                    ports.add(fields[1])
    return ports


@pytest.mark.model
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_embedded_model_answers_in_schema_and_listens_on_no_port(tmp_path):
    before = _listening_tcp_ports()
    model = EmbeddedChat(default_llm(tmp_path), context=1024)
    try:
        assert _listening_tcp_ports() == before
        reply = model.complete_json(
            [Message("user", "The parcel arrives on Friday. Which day does the parcel arrive?")],
            {
                "type": "object",
                "properties": {"day": {"type": "string", "enum": ["Monday", "Friday"]}},
                "required": ["day"],
            },
            max_tokens=20,
        )
        assert reply.data == {"day": "Friday"}
        private = model._private
        assert private.stat().st_mode & 0o077 == 0
    finally:
        model.close()
    assert not private.exists()
