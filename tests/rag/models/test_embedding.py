"""Embedding backends: the bundled E5 model and OpenAI's API (on the local test server)."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag import Assistant
from rag.errors import ConfigError, IndexMismatchError
from rag.index.layout import IndexLayout
from rag.index.manifest import load_manifest
from rag.models.embedding import make_embed_model
from tests.conftest import make_settings, reindex
from tests.openai_server import FakeOpenAI


def test_e5_uses_query_and_passage_prefixes(embed_model: Any) -> None:
    text = "OpenAI kaufte Windsurf für drei Milliarden Dollar."
    as_query = np.asarray(embed_model.get_query_embedding(text))
    as_passage = np.asarray(embed_model.get_text_embedding(text))
    assert as_query.shape == (384,)
    assert abs(np.linalg.norm(as_query) - 1) < 1e-3
    assert not np.allclose(as_query, as_passage), "different prefixes, different vectors"
    batch = np.asarray(embed_model.get_text_embedding_batch([text, "Anderes Thema."]))
    assert np.allclose(batch[0], as_passage, atol=1e-5)


def test_openai_backend_records_its_model_and_mismatch_is_refused(
    tmp_path: Path, corpus: Path, openai_server: FakeOpenAI, embed_model: Any
) -> None:
    remote = make_settings(tmp_path, embed_backend="openai", embed_base_url=openai_server.base_url)
    summary = reindex(remote, embed_model=make_embed_model(remote))
    assert summary.added == 1
    manifest = load_manifest(IndexLayout(remote.data_dir).manifest)
    assert manifest is not None
    assert manifest.embed_model == "openai/text-embedding-3-small"
    assert any(r.get("model") == "text-embedding-3-small" for r in openai_server.requests)
    Assistant(remote).ask("Windsurf Microsoft OpenAI")  # retrieval works on its vectors

    local = make_settings(tmp_path)
    with pytest.raises(IndexMismatchError, match="rag reindex --reset"):
        Assistant(local, embed_model=embed_model).ask("Why is Windsurf the flashpoint?")
    with pytest.raises(IndexMismatchError, match="--reset"):
        reindex(local, embed_model=embed_model)


def test_openai_backend_without_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_embed_model(make_settings(tmp_path, embed_backend="openai"))
