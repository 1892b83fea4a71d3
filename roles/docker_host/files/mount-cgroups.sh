#!/bin/sh
# Mounts the cgroup v1 hierarchies the kernel has enabled (/proc/cgroups) but
# this system has not mounted, as Debian's cgroupfs-mount would: a host
# without systemd may lack some (perf_event, hugetlb, net_cls,net_prio), and
# the engine then cannot read its containers' statistics ("cannot find cgroup
# mount destination": docker stats says 0B). Prints each hierarchy it mounts;
# does nothing where /sys/fs/cgroup is not a v1 layout (cgroup v2).
# Run by docker_host before it starts dockerd, and by .ci/run.
set -eu
base=/sys/fs/cgroup
[ "$(stat -f -c %T "$base" 2> /dev/null)" = tmpfs ] || exit 0

# One line per hierarchy: its subsystems, comma-separated (net_cls,net_prio).
groups=$(awk 'NR > 1 && $4 == 1 { if ($2 in g) g[$2] = g[$2] "," $1; else g[$2] = $1 }
              END { for (h in g) print g[h] }' /proc/cgroups)
remounted=
for group in $groups; do
    if awk -v s="${group%%,*}" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == s) f = 1 }
                                END { exit !f }' /proc/self/mounts; then
        continue
    fi
    if [ ! -d "$base/$group" ]; then
        # /sys/fs/cgroup is often a read-only tmpfs: open it for the new directory only.
        if [ -z "$remounted" ]; then
            mount -o remount,rw "$base"
            remounted=yes
        fi
        mkdir "$base/$group"
    fi
    mount -t cgroup -o "$group" cgroup "$base/$group"
    echo "mounted $base/$group"
done
if [ -n "$remounted" ]; then
    mount -o remount,ro "$base"
fi
