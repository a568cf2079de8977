#!/usr/bin/env bash
# The paper's comparison on the masked-LM path: MiniLM (all-MiniLM-L6-v2, the only masked LM offline) with
# the MLM head `advkit pretrain-mlm` grows on the Brown corpus, so MVP reads the label from that head at
# [MASK]. SST-2 (../shared/data/sst2), 2,000 training phrases, up to 3 epochs with early stopping, one seed;
# MLP-FT, MVP, MLP-FT+Adv, MVP+Adv (PGD, epsilon 0.1 as in smollm2_sst2.sh) x TextFooler, TextBugger,
# BERT-Attack, BAE (the same grown MLM) on the first 300 validation sentences at a 10% budget, plus the
# TextFooler budget curve. fp32 victims. Resumable: rerun to continue.
# Usage: NLTK_DATA=../shared/nltk_data ADVKIT_LEXICAL_DIR=../shared/data/lexical bash benchmarks/minilm_sst2.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
MLM=${MLM:-runs/mlm-minilm-brown}
if [ ! -f "$MLM/config.json" ]; then
  .venv/bin/advkit pretrain-mlm --model minilm --corpus brown --out "$MLM" 2>&1 | grep -v "it/s\]" | tail -3
fi
$PY benchmarks/robustness.py --model "$MLM" --dataset ../shared/data/sst2 \
  --train-size 2000 --dev-size 300 --test-size 300 --seeds 1 --epochs 3 --eval-every 125 \
  --mlm "$MLM" --precision fp32 --epsilon "${EPSILON:-0.1}" --budget-curve \
  --models "${MODELS:-MLP-FT,MVP,MLP-FT+Adv,MVP+Adv}" --recipes "${RECIPES:-textfooler,textbugger,bert-attack,bae}" \
  --ood rotten-tomatoes=rotten-tomatoes:test --ood mr=../shared/data/attack-sets/mr.jsonl \
  --out benchmarks/results/minilm-sst2 2>&1 | grep -v "it/s\]" | tail -40
