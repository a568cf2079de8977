"""advkit: adversarial robustness of NLP text classifiers.

Heavy modules (torch, transformers, faiss) are imported by the submodules that need them, never here,
so that `import advkit` and `advkit --help` stay fast.
"""

from advkit.errors import AdvkitError

__version__ = "0.1.0"
__all__ = ["AdvkitError", "__version__"]
