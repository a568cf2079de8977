"""Training checkpoints without pickle: weights via save_pretrained, optimizer tensors in safetensors, the rest
(step, history, random states) in JSON, so `--resume` continues exactly where a run stopped."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from advkit.errors import AdvkitError

CHECKPOINT = "checkpoint"


def save_checkpoint(
    folder: Path, model: Any, optimizer: torch.optim.Optimizer, state: dict[str, Any]
) -> None:
    target = folder / CHECKPOINT
    staging = folder / (CHECKPOINT + ".tmp")
    model.save_pretrained(staging)
    tensors: dict[str, torch.Tensor] = {"rng.torch": torch.get_rng_state()}
    optimizer_state = optimizer.state_dict()
    for index, slots in optimizer_state["state"].items():
        for key, value in slots.items():
            tensors[f"state.{index}.{key}"] = torch.as_tensor(value).contiguous()
    save_file(tensors, str(staging / "optimizer.safetensors"))
    python_rng = random.getstate()
    meta = {
        **state,
        "param_groups": optimizer_state["param_groups"],
        "rng_python": [python_rng[0], list(python_rng[1]), python_rng[2]],
    }
    (staging / "trainer_state.json").write_text(json.dumps(meta, indent=2) + "\n")
    if target.exists():
        import shutil

        shutil.rmtree(target)
    staging.rename(target)  # a kill mid-save leaves the previous checkpoint intact


def load_checkpoint(folder: Path, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """Restore the optimizer and random states; return the trainer state. The caller loads the weights."""
    source = folder / CHECKPOINT
    if not (source / "trainer_state.json").is_file():
        raise AdvkitError(f"nothing to resume in {folder}: no checkpoint; run without --resume")
    meta = json.loads((source / "trainer_state.json").read_text())
    tensors = load_file(str(source / "optimizer.safetensors"))
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in tensors.items():
        if name.startswith("state."):
            _, index, key = name.split(".", 2)
            state.setdefault(int(index), {})[key] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta.pop("param_groups")})
    torch.set_rng_state(tensors["rng.torch"])
    version, internal, gauss = meta.pop("rng_python")
    random.setstate((version, tuple(internal), gauss))
    return dict(meta)
