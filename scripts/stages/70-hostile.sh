#!/usr/bin/env bash
# Hostile inputs (scripts/hostile): truncated files, a 1 GiB deflate bomb, 100,000 zip
# entries, unsafe entry names, a million nested braces, a 100 MB token, an unclosed quote
# in 50 MB, NUL bytes, bad UTF-8, UTF-16, binary saves, empty input. Each goes through the
# release CLI under a time limit with its peak memory measured; any panic, hang, missing
# error position or memory over the limit fails the stage.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
cargo build --release --locked -p pdxedge
python3 scripts/hostile/run.py --cli target/release/pdxedge --timeout 60 "$@"
