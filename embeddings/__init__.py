"""The synonym space: word vectors, counter-fitting, and a FAISS neighbour table (imported as advkit.embeddings)."""

from advkit.embeddings.build import build_space, default_space
from advkit.embeddings.space import SynonymSpace
from advkit.embeddings.vectors import WordVectors, load_text, load_vectors

__all__ = ["SynonymSpace", "WordVectors", "build_space", "default_space", "load_text", "load_vectors"]
