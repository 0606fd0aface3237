#!/usr/bin/env bash
# The side-by-side benchmark of BENCHMARKS.md: each workload on Lethe, then on PyTorch, twice, so
# both see the same machine state. Needs a release build and the fixtures venv (README).
# Usage: tools/bench_side_by_side.sh [VENV]   (default: ../VENV beside the repository, or ./VENV)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-$( [ -d VENV ] && echo VENV || echo ../VENV )}"
lethe=.build/release/lethe
torch="$venv/bin/python tools/bench_torch.py"
echo "== $(date -u +%FT%TZ)"
$lethe bench sgemm | tail -2; $torch sgemm | tail -1
$lethe bench bandwidth | tail -1
for workload in "train --batch 4 --seq 128" "features --batch 32 --seq 128" "generate --new 128"; do
  echo "== $workload"
  for _ in 1 2; do $lethe bench $workload 2>&1 | tail -1; $torch $workload 2>&1 | tail -1; done
done
mini="train --layers 6 --width 128 --heads 2 --batch 8 --seq 256"
echo "== gpt2-mini shape: $mini"
$lethe bench $mini | tail -1; $torch $mini 2>&1 | tail -1; $lethe --threads 1 bench $mini | tail -1
