"""The default model is joined from its packages once and refused unless its sha256 matches."""

from __future__ import annotations

import hashlib

import pytest

from homebody.errors import ModelIntegrityError, ModelUnavailable
from homebody.models import files


def test_default_model_is_joined_once_and_verified(tmp_path):
    path = files.default_llm(tmp_path)
    assert path.stat().st_size > 400_000_000
    assert (tmp_path / (path.name + ".verified")).read_text().startswith(files.DEFAULT_LLM_SHA256)
    mtime = path.stat().st_mtime_ns
    assert files.default_llm(tmp_path) == path
    assert path.stat().st_mtime_ns == mtime, "not joined a second time"


def test_a_tampered_cached_model_is_refused(tmp_path):
    path = files.default_llm(tmp_path)
    with path.open("r+b") as handle:
        handle.seek(1_000_000)
        byte = handle.read(1)
        handle.seek(1_000_000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelIntegrityError, match="refusing"):
        files.default_llm(tmp_path)


def test_a_user_model_with_the_wrong_digest_is_refused(tmp_path):
    model = tmp_path / "mine.gguf"
    model.write_bytes(b"GGUF not really a model")
    with pytest.raises(ModelIntegrityError):
        files.verify(model, "0" * 64)
    files.verify(model, hashlib.sha256(model.read_bytes()).hexdigest())


def test_a_missing_user_model_is_unavailable(tmp_path):
    with pytest.raises(ModelUnavailable, match="does not exist"):
        files.verify(tmp_path / "nope.gguf", "0" * 64)
