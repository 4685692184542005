"""The index: embedders, BM25, generations, vector backends and loaded snapshots.

``embedders`` (the :class:`Embedder` protocol and the :class:`Embedders` that own loaded
models), ``lexical`` (BM25), ``generations`` (the local folder of atomic generations),
``chroma`` (Chroma behind the :class:`VectorStore` protocol), ``backend`` (the
:class:`IndexBackend` protocol: :class:`LocalIndex`, :class:`ServerIndex`, :func:`index_for`)
and ``snapshots`` (:class:`Snapshots`, the loaded current generation).  Importing this
package loads no model and no chromadb: they load on first use.
"""

from __future__ import annotations

from .backend import IndexBackend, LocalIndex, ServerIndex, index_for
from .embedders import Embedder, Embedders, load_embedder, slug
from .lexical import LexicalIndex
from .snapshots import Snapshot, Snapshots

__all__ = [
    "Embedder",
    "Embedders",
    "IndexBackend",
    "LexicalIndex",
    "LocalIndex",
    "ServerIndex",
    "Snapshot",
    "Snapshots",
    "index_for",
    "load_embedder",
    "slug",
]
