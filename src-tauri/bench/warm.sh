#!/bin/bash
# `make bench-warm`: runs `BENCH --only warm` (a cold Phoenix setup, then a warm one) against
# the offline Hex repository in ../shared/hex-mirror, with a scratch HOME, MIX_HOME and
# HEX_HOME (the setup steps get HOME only, so the heroicons git rule goes in its .gitconfig).
# Everything it writes is removed afterwards; the registry it started is stopped.
set -euo pipefail
BENCH=${1:?usage: warm.sh path/to/codemyspec-bench}
BENCH=$(cd "$(dirname "$BENCH")" && pwd)/$(basename "$BENCH")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MIRROR=${HEX_MIRROR_DIR:-$ROOT/../shared/hex-mirror}
SCRATCH=$(mktemp -d)
export HOME=$SCRATCH MIX_HOME=$SCRATCH/.mix HEX_HOME=$SCRATCH/.hex HEXMIRROR_STATE=$SCRATCH/state
trap '"$MIRROR/use.sh" --stop; rm -rf "$SCRATCH"' EXIT
"$MIRROR/use.sh" --git-global >/dev/null
"$BENCH" --only warm
