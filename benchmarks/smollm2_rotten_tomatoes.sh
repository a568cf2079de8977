#!/usr/bin/env bash
# MVP vs MLP-FT, with and without adversarial training, on SmolLM2-135M, rotten-tomatoes (offline default):
# train on 2,000 reviews (one epoch, the paper's optimiser settings), evaluate on the test split, attack 200
# test examples with TextFooler and TextBugger at the MVP paper's 10% perturbation budget.
# Writes benchmarks/results/smollm2-rt/. Models already trained in $RUNS and attacks already in $OUT are reused.
# Usage: NLTK_DATA=../shared/nltk_data ADVKIT_LEXICAL_DIR=../shared/data/lexical \
#          bash benchmarks/smollm2_rotten_tomatoes.sh [model ...]
#   models: mlp-ft mvp mlp-ft-adv-pgd mvp-adv-pgd mvp-adv-textfooler mlp-ft-adv-pgd-eps0.1 mvp-adv-pgd-eps0.1
#   (default: all, in that order)
set -euo pipefail
cd "$(dirname "$0")/.."
ADVKIT=${ADVKIT:-.venv/bin/advkit}
OUT=${OUT:-benchmarks/results/smollm2-rt}
RUNS=${RUNS:-runs/smollm2-rt}
TRAIN=${TRAIN:-2000}
N=${N:-200}
COMMON=(--model smollm2-135m --train-size "$TRAIN" --dev-size 300 --epochs 1 --eval-every 125 --max-length 128)
# The MVP paper's adversarial training (Raman et al. 2023; its reference code): L2 PGD, epsilon 1, one step.
PGD=(--adversary pgd --epsilon 1 --pgd-steps 1)
# On-the-fly TextFooler examples (advkit's defaults: half of each batch attacked, 50 queries each).
DISCRETE=(--adversary textfooler --adv-fraction 0.5 --adv-query-budget 50 --max-perturb 0.1)

train() {
  case "$1" in
    mlp-ft | mvp) $ADVKIT train --method "$1" "${COMMON[@]}" --out "$RUNS/$1" ;;
    mlp-ft-adv-pgd) $ADVKIT adv-train --method mlp-ft "${PGD[@]}" "${COMMON[@]}" --out "$RUNS/$1" ;;
    mvp-adv-pgd) $ADVKIT adv-train --method mvp "${PGD[@]}" "${COMMON[@]}" --out "$RUNS/$1" ;;
    mvp-adv-textfooler) $ADVKIT adv-train --method mvp "${DISCRETE[@]}" "${COMMON[@]}" --out "$RUNS/$1" ;;
    # A weaker PGD: at epsilon 1 one step already takes a trained model to near-chance accuracy, and one
    # epoch of 2,000 examples is too short to learn to resist it (see results/smollm2-rt/README.md).
    mlp-ft-adv-pgd-eps0.1) $ADVKIT adv-train --method mlp-ft "${PGD[@]}" --epsilon 0.1 "${COMMON[@]}" --out "$RUNS/$1" ;;
    mvp-adv-pgd-eps0.1) $ADVKIT adv-train --method mvp "${PGD[@]}" --epsilon 0.1 "${COMMON[@]}" --out "$RUNS/$1" ;;
    *) echo "unknown model $1" >&2; exit 2 ;;
  esac
}

mkdir -p "$OUT"
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(mlp-ft mvp mlp-ft-adv-pgd mvp-adv-pgd mvp-adv-textfooler mlp-ft-adv-pgd-eps0.1 mvp-adv-pgd-eps0.1)
for model in "${models[@]}"; do
  if [ ! -f "$RUNS/$model/advkit.json" ]; then
    train "$model" 2>&1 | grep -v "it/s\]" | tail -3
  fi
  [ -f "$OUT/$model-eval.json" ] || $ADVKIT eval --victim "$RUNS/$model" --split test > "$OUT/$model-eval.json"
  cp "$RUNS/$model/metrics.json" "$OUT/$model-train-metrics.json"
  for recipe in textfooler textbugger; do
    [ -f "$OUT/$model-$recipe-summary.json" ] && continue
    $ADVKIT attack --victim "$RUNS/$model" --recipe "$recipe" --num-examples "$N" --max-perturb 0.1 \
      --out "$RUNS/attack-$model-$recipe" --resume 2>&1 | grep -v "it/s\]" | tail -20
    cp "$RUNS/attack-$model-$recipe/summary.json" "$OUT/$model-$recipe-summary.json"
  done
  git rev-parse HEAD >> "$OUT/commit.txt"
done
