#!/usr/bin/env bash
# Run molecule scenarios side by side (they share nothing: own names, ports,
# directories; fresh_vm's VMs have engines of their own), each line prefixed
# with its scenario, each full log kept in .cache/molecule-<scenario>.log.
# Exits non-zero if any scenario failed, after all have finished, and then
# repeats the lines that say why (the first errors, pytest's summary): a log
# read from its end (CI keeps the tail) shows the failure, not the last
# scenario's success.
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
failed=()
for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
        echo "molecule: ${scenarios[$i]} passed"
    else
        echo "molecule: ${scenarios[$i]} FAILED (full log: .cache/molecule-${scenarios[$i]}.log)"
        failed+=("${scenarios[$i]}")
        status=1
    fi
done
for scenario in "${failed[@]}"; do
    echo "molecule: why $scenario failed (from .cache/molecule-$scenario.log):"
    grep -E -A12 'fatal: |\[ERROR\]|ERROR .*(Executed: Failed|return code)' ".cache/molecule-$scenario.log" | head -n 60 | sed "s/^/[$scenario] /"
    sed -n '/short test summary info/,$p' ".cache/molecule-$scenario.log" | head -n 40 | sed "s/^/[$scenario] /"
done
exit "$status"
