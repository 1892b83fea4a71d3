#!/usr/bin/env bash
# Run molecule scenarios side by side (they share nothing: own names, ports,
# directories; fresh_vm's VMs have engines of their own), each line prefixed
# with its scenario, each full log kept in .cache/molecule-<scenario>.log.
# A scenario given as `name:command` runs the command after it passed, in its
# lane (make test: the qemu VM check once fresh_vm is over, while default,
# the longer, still runs); the lane fails if either does.
# Each lane says how long its scenario's sequence (and its command) took.
# Exits non-zero if any scenario failed, after all have finished, and then
# repeats the lines that say why (the first errors, pytest's summary): a log
# read from its end (CI keeps the tail) shows the failure, not the last
# scenario's success.
set -uo pipefail
mkdir -p .cache
started=$SECONDS
pids=()
scenarios=()
afters=()
for lane in "$@"; do
    scenario=${lane%%:*}
    after=
    [ "$scenario" = "$lane" ] || after=${lane#*:}
    scenarios+=("$scenario")
    afters+=("$after")
    (
        set -o pipefail
        molecule test -s "$scenario" 2>&1 | tee ".cache/molecule-$scenario.log" | sed -u "s/^/[$scenario] /" || exit 1
        echo "molecule: $scenario's sequence took $((SECONDS - started)) s"
        [ -z "$after" ] || bash -c "$after" 2>&1 | sed -u "s/^/[$scenario, then] /" || exit 3
        [ -z "$after" ] || echo "molecule: $scenario's lane took $((SECONDS - started)) s"
    ) &
    pids+=("$!")
done
status=0
failed=()
for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    lane=$?
    if [ "$lane" -eq 0 ]; then
        echo "molecule: ${scenarios[$i]} passed${afters[$i]:+, then ${afters[$i]} passed}"
    elif [ "$lane" -eq 3 ]; then
        echo "molecule: ${scenarios[$i]} passed, then ${afters[$i]} FAILED (its lines: [${scenarios[$i]}, then])"
        status=1
    else
        echo "molecule: ${scenarios[$i]} FAILED (full log: .cache/molecule-${scenarios[$i]}.log)"
        failed+=("${scenarios[$i]}")
        status=1
    fi
done
for scenario in "${failed[@]}"; do
    log=.cache/molecule-$scenario.log
    echo "molecule: why $scenario failed (from $log):"
    # pytest's summary of the failed tests (or its FAILED lines, each with
    # the line before that names the test), or else the last task that failed.
    summary=$(sed -n '/short test summary info/,/ in [0-9.]*s/p' "$log" | head -n 60)
    [ -n "$summary" ] || summary=$(grep -E -B1 '(FAILED|ERROR) +\[ *[0-9]+%\]' "$log" | head -n 60)
    if [ -n "$summary" ]; then
        echo "$summary"
    else
        grep -E -A14 'fatal: |\[ERROR\]' "$log" | grep -v '\.\.\.ignoring' | tail -n 40
    fi | sed "s/^/[$scenario] /"
    grep -E 'ERROR .*(Executed: Failed|return code)' "$log" | sed "s/^/[$scenario] /"
done
exit "$status"
