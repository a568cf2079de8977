"""Two CPU processes (gloo) train to the same weights as one process with the same global batch."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

WORKER = str(Path(__file__).parent / "distributed_worker.py")


def weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_file(str(folder / "checkpoint" / "backbone" / "model.safetensors"))


@pytest.mark.parametrize("objective", ["clean", "pgd"])
def test_two_processes_match_one(tmp_path, objective):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, WORKER, str(tmp_path / "one"), objective, "1"], check=True, env=env)
    subprocess.run(
        [sys.executable, WORKER, str(tmp_path / "accumulated"), objective, "2"], check=True, env=env
    )
    launch = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        str(29500 + os.getpid() % 1000),
    ]
    done = subprocess.run(
        [*launch, WORKER, str(tmp_path / "two"), objective, "1"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    one, two, accumulated = (
        weights(tmp_path / "one"),
        weights(tmp_path / "two"),
        weights(tmp_path / "accumulated"),
    )
    assert one.keys() == two.keys()
    for name in one:
        torch.testing.assert_close(two[name], one[name], atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(accumulated[name], one[name], atol=1e-6, rtol=1e-5)
