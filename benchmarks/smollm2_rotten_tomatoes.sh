#!/usr/bin/env bash
# MVP vs MLP-FT on SmolLM2-135M, rotten-tomatoes (offline default): train on 2,000 reviews (one epoch, the
# paper's optimiser settings), evaluate on the test split, attack 200 test examples with TextFooler and
# TextBugger at the MVP paper's 10% perturbation budget. Writes benchmarks/results/smollm2-rt/.
# Usage: NLTK_DATA=../shared/nltk_data ADVKIT_LEXICAL_DIR=../shared/data/lexical bash benchmarks/smollm2_rotten_tomatoes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ADVKIT=${ADVKIT:-.venv/bin/advkit}
OUT=${OUT:-benchmarks/results/smollm2-rt}
RUNS=${RUNS:-runs/smollm2-rt}
TRAIN=${TRAIN:-2000}
N=${N:-200}
mkdir -p "$OUT"
for method in mvp mlp-ft; do
  if [ ! -f "$RUNS/$method/advkit.json" ]; then
    $ADVKIT train --method "$method" --model smollm2-135m --train-size "$TRAIN" --dev-size 300 --epochs 1 \
      --eval-every 125 --max-length 128 --out "$RUNS/$method" 2>&1 | grep -v "it/s\]" | tail -2
  fi
  $ADVKIT eval --victim "$RUNS/$method" --split test > "$OUT/$method-eval.json"
  cp "$RUNS/$method/metrics.json" "$OUT/$method-train-metrics.json"
  for recipe in textfooler textbugger; do
    $ADVKIT attack --victim "$RUNS/$method" --recipe "$recipe" --num-examples "$N" --max-perturb 0.1 \
      --out "$RUNS/attack-$method-$recipe" --resume 2>&1 | grep -v "it/s\]" | tail -20
    cp "$RUNS/attack-$method-$recipe/summary.json" "$OUT/$method-$recipe-summary.json"
  done
done
git rev-parse HEAD > "$OUT/commit.txt"
