#!/usr/bin/env bash
# Does the synonym space change the MLP-FT/MVP gap? TextFooler on the SmolLM2 SST-2 models of
# smollm2_sst2.sh (run it first) with plain GloVe-50d neighbours (no counter-fitting, so antonyms are among
# them), the setting of the first measurement reported in issue 6. Same 300 sentences, budget and precision.
# Usage: NLTK_DATA=../shared/nltk_data ADVKIT_LEXICAL_DIR=../shared/data/lexical bash benchmarks/smollm2_sst2_plain_glove.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SPACE=${SPACE:-runs/space-glove-50d-plain}
if [ ! -f "$SPACE/manifest.json" ]; then
  .venv/bin/advkit embeddings build --no-counter-fit --out "$SPACE" 2>&1 | tail -2
fi
$PY benchmarks/robustness.py --model smollm2-135m --dataset ../shared/data/sst2 \
  --train-size 2000 --dev-size 300 --test-size 300 --seeds 1 --epochs 1 --eval-every 125 \
  --precision bf16 --epsilon 0.1 --space "$SPACE" --models MLP-FT,MVP --recipes textfooler \
  --models-dir runs/smollm2-sst2 --out benchmarks/results/smollm2-sst2-plain-glove 2>&1 | grep -v "it/s\]" | tail -20
