import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

SHARED = Path(os.environ.get("ADVKIT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
if (SHARED / "nltk_data").is_dir():
    os.environ.setdefault("NLTK_DATA", str(SHARED / "nltk_data"))
if (SHARED / "data" / "lexical").is_dir():
    os.environ.setdefault("ADVKIT_LEXICAL_DIR", str(SHARED / "data" / "lexical"))


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout")
    return SHARED
