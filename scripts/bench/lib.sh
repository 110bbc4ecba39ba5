# Shared by the bench scripts (source it after setting `repeat`).

# Best-of-$repeat wall time of a command (stdout discarded), in seconds. Needs `bc`.
best_of() {
  local best=
  for _ in $(seq "$repeat"); do
    local s e t
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  printf '%.3f' "$best"
}
