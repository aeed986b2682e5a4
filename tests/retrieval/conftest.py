"""A deterministic stand-in embedding model for retrieval tests, and a vault to search."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from homebody.retrieval.query import STOPWORDS
from homebody.vault.store import Vault

# Words that mean the same to the stand-in model, so vector search can find what words alone miss.
SYNONYMS = {"physician": "doctor", "gp": "doctor", "clinic": "doctor", "supper": "dinner", "meal": "dinner"}


class WordsEmbedder:
    """Bag-of-words vectors: texts sharing (synonym-folded) words are near each other.

    Like E5 it adds a shared component to every vector, so codes must be taken around a centre.
    """

    def __init__(self, name: str = "words-1024", dim: int = 1024) -> None:
        self.name = name
        self.dim = dim
        self.passages: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.full(self.dim, 0.01, dtype=np.float32)
        for word in re.findall(r"[a-z]+", text.lower()):
            if word in STOPWORDS:
                continue
            word = SYNONYMS.get(word, word)
            slot = int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dim
            vector[slot] += 1.0
        return vector / np.linalg.norm(vector)

    def embed_passages(self, texts):
        self.passages.extend(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text):
        return self._vector(text)


@pytest.fixture
def embedder():
    return WordsEmbedder()


@pytest.fixture
def vault(tmp_path):
    with Vault.open(tmp_path / "vault.db") as v:
        yield v
