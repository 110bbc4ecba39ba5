#!/usr/bin/env bash
# Hostile inputs (scripts/hostile): truncated files, a 1 GiB deflate bomb, 100,000 zip
# entries, unsafe entry names, a million nested braces, a 100 MB token, an unclosed quote
# in 50 MB, NUL bytes, bad UTF-8, UTF-16, binary saves, empty input. Each goes through the
# release CLI (peak memory measured with GNU time) and is POSTed to a `pdxedge serve`
# started on 127.0.0.1 (free port, stopped by PID; peak RSS from /proc), which also gets a
# body that stops mid-way and slowloris clients. Any panic, hang, crash, missing error
# position, wrong status or memory over the limit fails the stage.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
cargo build --release --locked -p pdxedge
python3 scripts/hostile/run.py --cli target/release/pdxedge --server target/release/pdxedge \
  --timeout 60 "$@"
