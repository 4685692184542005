"""An :class:`~assistant.index.embedders.Embedder` as LangChain ``Embeddings`` (for LangChain vector stores)."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from .embedders import Embedder

__all__ = ["LangChainEmbeddings"]


class LangChainEmbeddings(Embeddings):
    """Adapter to LangChain's ``Embeddings`` interface (for LangChain's Chroma baseline)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.embedder.embed_documents(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self.embedder.embed_query(text)))
