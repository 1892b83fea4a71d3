#!/usr/bin/env bash
# Run molecule scenarios side by side (they share nothing: own names, ports,
# directories; fresh_vm's VMs have engines of their own), each line prefixed
# with its scenario, each full log kept in .cache/molecule-<scenario>.log.
# Exits non-zero if any scenario failed, after all have finished.
set -uo pipefail
mkdir -p .cache
pids=()
for scenario in "$@"; do
    (
        set -o pipefail
        molecule test -s "$scenario" 2>&1 | tee ".cache/molecule-$scenario.log" | sed -u "s/^/[$scenario] /"
    ) &
    pids+=("$!")
done
status=0
scenarios=("$@")
for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
        echo "molecule: ${scenarios[$i]} passed"
    else
        echo "molecule: ${scenarios[$i]} FAILED (full log: .cache/molecule-${scenarios[$i]}.log)"
        status=1
    fi
done
exit "$status"
