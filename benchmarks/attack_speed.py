"""advkit against TextAttack: the same victim, TextFooler settings and examples, in one run.

The victim is all-MiniLM-L6-v2 with a sequence-classification head fine-tuned on 2,000 SST-2 training
sentences (made once, kept in runs/bench-minilm-sst2). Both attack the first N SST-2 dev sentences with
TextFooler: 50 counter-fitted neighbours (the same table), cosine ≥ 0.5, NLTK stopwords, POS, MiniLM
angular similarity ≥ 0.840845057 on a window of 15. TextAttack runs twice: as users run it (queries padded
to 512 tokens) and with its tokenizer capped at 128 tokens.

Usage: python benchmarks/attack_speed.py --textattack-python /path/to/ta-venv/bin/python [--num-examples 50]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from meta import run_info  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SST2 = ROOT.parent / "shared" / "data" / "sst2"


def victim_folder(folder: Path, train_size: int = 2000) -> Path:
    """Fine-tune MiniLM with a classification head once; later runs reuse it."""
    if (folder / "config.json").exists():
        return folder
    import random

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from advkit.data import load_dataset
    from advkit.victims.backbone import resolve

    path = resolve("minilm")
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)
    data = load_dataset(str(SST2), "train")
    order = list(range(len(data)))
    random.Random(0).shuffle(order)
    order = [i for i in order if len(str(data.texts[i]).split()) >= 4][:train_size]
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    model.train()
    for start in range(0, len(order), 16):
        batch = order[start : start + 16]
        enc = tokenizer([data.texts[i] for i in batch], padding=True, return_tensors="pt")
        loss = model(**enc, labels=torch.tensor([data.labels[i] for i in batch])).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def run_advkit(victim_dir: Path, space_dir: Path, encoder: str, n: int, batch_size: int) -> dict:
    from advkit.embeddings import SynonymSpace

    from advkit.attack.constraints import sentence_encoder
    from advkit.attack.recipes import textfooler
    from advkit.attack.runner import run_attack
    from advkit.data import load_dataset
    from advkit.victims import ModelVictim
    from advkit.victims.hf import HFSequenceClassifier

    data = load_dataset(str(SST2), "test").subset(range(n))
    victim = ModelVictim(HFSequenceClassifier.from_pretrained(str(victim_dir)), batch_size=128)
    attack = textfooler(victim, SynonymSpace.load(space_dir), sentence_encoder(encoder))
    began = time.perf_counter()
    results, summary = run_attack(attack, data, batch_size=batch_size, progress=False)
    wall = time.perf_counter() - began
    attacked = [r for r in results if r.status != "skipped"]
    return {
        "examples": len(results),
        "attacked": len(attacked),
        "succeeded": summary["Number of successful attacks"],
        "original_accuracy": summary["Original accuracy"],
        "success_rate": summary["Attack success rate"],
        "queries_per_example": summary["Avg num queries"],
        "wall_seconds": wall,
        "seconds_per_attacked_example": wall / max(len(attacked), 1),
        "victim_seconds": summary["Victim time (s)"],
        "victim_share": summary["Share of time in victim"],
        "batch_size": batch_size,
        "perturbed": [r.perturbed for r in results],
    }


def run_textattack(
    python: str, victim_dir: Path, space_dir: Path, encoder: str, n: int, max_length: int
) -> dict:
    command = [
        python,
        str(Path(__file__).parent / "textattack_side.py"),
        "--victim",
        str(victim_dir),
        "--space",
        str(space_dir),
        "--encoder",
        encoder,
        "--data",
        str(SST2 / "dev.jsonl"),
        "--num-examples",
        str(n),
        "--max-length",
        str(max_length),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"TextAttack side failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--textattack-python", required=True)
    parser.add_argument("--num-examples", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "attack_speed.json"))
    args = parser.parse_args()

    from advkit.embeddings.build import default_space, default_space_dir

    from advkit.victims.backbone import resolve

    default_space()
    space_dir = default_space_dir()
    encoder = resolve("minilm")
    victim_dir = victim_folder(ROOT / "runs" / "bench-minilm-sst2")
    advkit = run_advkit(victim_dir, space_dir, encoder, args.num_examples, args.batch_size)
    ta_512 = run_textattack(args.textattack_python, victim_dir, space_dir, encoder, args.num_examples, 512)
    ta_128 = run_textattack(args.textattack_python, victim_dir, space_dir, encoder, args.num_examples, 128)
    same = sum(a == b for a, b in zip(advkit["perturbed"], ta_128["perturbed"], strict=False))
    result = {
        **run_info(),
        "victim": "all-MiniLM-L6-v2 + classification head fine-tuned on 2,000 SST-2 sentences",
        "examples": f"first {args.num_examples} SST-2 dev sentences",
        "recipe": "textfooler (50 counter-fitted neighbours, cos >= 0.5, POS, MiniLM angular >= 0.840845057, window 15)",
        "advkit": {k: v for k, v in advkit.items() if k != "perturbed"},
        "textattack_padded_512": {k: v for k, v in ta_512.items() if k not in ("perturbed", "statuses")},
        "textattack_capped_128": {k: v for k, v in ta_128.items() if k not in ("perturbed", "statuses")},
        "speedup_vs_textattack": ta_512["seconds_per_attacked_example"]
        / advkit["seconds_per_attacked_example"],
        "speedup_vs_textattack_capped_128": ta_128["seconds_per_attacked_example"]
        / advkit["seconds_per_attacked_example"],
        "identical_adversarial_texts_vs_textattack": f"{same}/{len(advkit['perturbed'])}",
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
