"""Build the default synonym space (GloVe 50d, 65,713 words, counter-fitted, K = 50) and measure time, peak
memory and quality. Usage: ADVKIT_LEXICAL_DIR=../shared/data/lexical python benchmarks/embeddings_build.py"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from advkit.embeddings.build import antonym_pairs, build_space  # noqa: E402
from advkit.embeddings.counterfit import lexical_file  # noqa: E402
from advkit.embeddings.evaluate import antonym_share, read_simlex, simlex_rho  # noqa: E402
from advkit.embeddings.space import SynonymSpace  # noqa: E402
from meta import run_info  # noqa: E402


def main() -> None:
    began = time.perf_counter()
    space, timings = build_space(counter_fit=True)
    build_seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as folder:
        space.save(folder)
        began = time.perf_counter()
        loaded = SynonymSpace.load(folder)
        load_seconds = time.perf_counter() - began
        began = time.perf_counter()
        for word in loaded.words[:10_000]:
            loaded.neighbours(word, 50, 0.5)
        lookup_us = (time.perf_counter() - began) / 10_000 * 1e6
    plain, _ = build_space(counter_fit=False, k=10)
    simlex = read_simlex(lexical_file("SimLex-999.txt"))
    quality = {}
    for name, s in (("plain", plain), ("counter_fitted", space)):
        rho, covered = simlex_rho(s, simlex)
        quality[name] = {
            "simlex_rho": round(rho, 4),
            "simlex_pairs": covered,
            "antonym_share_top10": antonym_share(s, antonym_pairs(s)),
        }
    result = {
        **run_info(),
        "vocab_size": len(space),
        "k": 50,
        "build_seconds": round(build_seconds, 2),
        "timings": timings,
        "peak_rss_mb": round(peak_mb, 1),
        "load_seconds": round(load_seconds, 4),
        "lookup_microseconds": round(lookup_us, 2),
        "textfooler_cosine_matrix_gb": round(
            len(space) ** 2 * 8 / 1e9, 1
        ),  # float64 [V, V] in the original code
        "quality": quality,
        "top10": {
            w: [n for n, _ in space.neighbours(w, 10)] for w in ("good", "terrible", "movie", "quickly")
        },
    }
    out = Path(__file__).parent / "results" / "embeddings_build.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
