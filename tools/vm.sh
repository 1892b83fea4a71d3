#!/usr/bin/env bash
# `make vm`, `make vm-stop`, `make vm-destroy`: a local Debian 12 VM (or 13:
# `make vm RELEASE=trixie`, which keeps its own disk beside the other), made
# offline from the Debian mirror and booted with qemu, to provision as a
# student's VM is: `make INVENTORY=.cache/vm/inventory.yml`, then `make verify`
# and `make down` with the same INVENTORY.
#
#   tools/vm.sh up        build the disk if its package list changed (cached),
#                         boot it, wait for SSH, write the inventory
#   tools/vm.sh check     up, then SSH in, `sudo -n true`, and shut it down
#                         (what `make test` runs)
#   tools/vm.sh stop      shut it down (the disk stays)
#   tools/vm.sh destroy   stop, and remove the disk and the inventory
#
# The disk: mmdebstrap's root filesystem (Debian's kernel, systemd, OpenSSH,
# sudo, Python) in an ext4 image, the kernel and initrd beside it; a user
# `inception` with sudo and this machine's key (.cache/vm/id_ed25519). qemu
# runs with KVM where the CPU offers hardware virtualisation, with software
# emulation (TCG, 7 to 15 times slower) otherwise. Only 127.0.0.1 forwards:
# SSH on VM_SSH_PORT (2222; 2223 for Debian 13), HTTPS on VM_HTTPS_PORT (8443;
# 8444 for Debian 13).
set -euo pipefail
cd "$(dirname "$0")/.."

suite=${RELEASE:-bookworm}
# One directory and one pair of forwarded ports per release, so that both
# VMs' disks stay and both can run at once.
case $suite in
    bookworm) defaults=(.cache/vm 2222 8443) ;;
    trixie) defaults=(.cache/vm-trixie 2223 8444) ;;
    *) echo "vm: RELEASE=$suite: the VM is Debian 12 (bookworm, the default) or 13 (RELEASE=trixie)" >&2; exit 2 ;;
esac
dir=${VM_DIR:-${defaults[0]}}
ssh_port=${VM_SSH_PORT:-${defaults[1]}}
https_port=${VM_HTTPS_PORT:-${defaults[2]}}
memory=${VM_MEMORY:-3072}
cpus=${VM_CPUS:-2}
disk_size=${VM_DISK_SIZE:-12G}
user=inception
packages=linux-image-amd64,systemd-sysv,openssh-server,sudo,python3,ca-certificates,apparmor,ifupdown,isc-dhcp-client,curl

say() { echo "vm: $*"; }
die() { echo "vm: $*" >&2; exit 1; }

need() {
    local missing=()
    command -v mmdebstrap > /dev/null || missing+=(mmdebstrap)
    command -v qemu-system-x86_64 > /dev/null || missing+=(qemu-system-x86)
    command -v mkfs.ext4 > /dev/null || missing+=(e2fsprogs)
    command -v ssh > /dev/null || missing+=(openssh-client)
    ((${#missing[@]})) || return 0
    [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: run 'sudo apt-get install ${missing[*]}'"
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null; }
}

# The disk is named after what it is made of: the same list, the same disk.
key() { printf '%s\n' "$suite" "$packages" "$user" "$(sed -n '/^build()/,/^}/p' "$0")" | sha256sum | cut -c1-12; }

build() {
    local base
    base=$dir/base-$(key)
    [ -e "$base/disk.img" ] && return 0
    [ "$(id -u)" -eq 0 ] || die "building the disk needs root (mmdebstrap, mkfs)"
    rm -rf "$dir"/base-*
    mkdir -p "$base"
    [ -e "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C inception-vm -f "$dir/id_ed25519"
    say "building the disk (mmdebstrap from the Debian mirror, about 2 minutes)"
    local root=$base/root
    # The hooks are shell run by mmdebstrap, which sets $1 to the new root.
    # shellcheck disable=SC2016
    mmdebstrap --quiet --variant=important --include="$packages" \
        --customize-hook='rm -f "$1/etc/resolv.conf"' \
        --customize-hook='echo inception-vm > "$1/etc/hostname"' \
        --customize-hook='printf "127.0.0.1\tlocalhost\n127.0.1.1\tinception-vm\n" > "$1/etc/hosts"' \
        --customize-hook='echo "LABEL=root / ext4 errors=remount-ro 0 1" > "$1/etc/fstab"' \
        --customize-hook='printf "auto lo\niface lo inet loopback\nallow-hotplug ens3\niface ens3 inet dhcp\n" > "$1/etc/network/interfaces"' \
        --customize-hook="chroot \"\$1\" useradd --create-home --shell /bin/bash --groups sudo $user" \
        --customize-hook="echo '$user ALL=(ALL) NOPASSWD:ALL' > \"\$1/etc/sudoers.d/$user\" && chmod 0440 \"\$1/etc/sudoers.d/$user\"" \
        --customize-hook="install -d -m 0700 \"\$1/home/$user/.ssh\" && cat $PWD/$dir/id_ed25519.pub > \"\$1/home/$user/.ssh/authorized_keys\" && chroot \"\$1\" chown -R $user: /home/$user/.ssh" \
        "$suite" "$root"
    cp "$root"/boot/vmlinuz-* "$base/vmlinuz"
    cp "$root"/boot/initrd.img-* "$base/initrd.img"
    mkfs.ext4 -q -d "$root" -L root "$base/disk.img" "$disk_size"
    rm -rf "$root"
}

running() { [ -e "$dir/qemu.pid" ] && kill -0 "$(cat "$dir/qemu.pid")" 2> /dev/null; }

accel() {
    if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
        echo kvm
    else
        echo tcg
    fi
}

ssh_vm() {
    ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 \
        -i "$dir/id_ed25519" -p "$ssh_port" "$user@127.0.0.1" "$@"
}

up() {
    need
    build
    local base
    base=$dir/base-$(key)
    if running; then
        say "already running (pid $(cat "$dir/qemu.pid"))"
    else
        # The VM writes to a copy; the built disk stays as it was made.
        if [ ! -e "$dir/disk.img" ] || [ "$(cat "$dir/disk.key" 2> /dev/null)" != "$(key)" ]; then
            cp --sparse=always "$base/disk.img" "$dir/disk.img"
            key > "$dir/disk.key"
        fi
        local accel_opts
        if [ "$(accel)" = kvm ]; then
            accel_opts=(-accel kvm -cpu host)
            say "booting with KVM"
        else
            accel_opts=(-accel "tcg,thread=multi" -cpu max)
            say "booting with software emulation (no hardware virtualisation here: /dev/kvm missing, or no vmx/svm CPU flag); expect minutes"
        fi
        qemu-system-x86_64 "${accel_opts[@]}" -m "$memory" -smp "$cpus" \
            -kernel "$base/vmlinuz" -initrd "$base/initrd.img" -append 'root=/dev/vda rw console=ttyS0' \
            -drive "file=$dir/disk.img,if=virtio,format=raw" \
            -nic "user,hostfwd=tcp:127.0.0.1:$ssh_port-:22,hostfwd=tcp:127.0.0.1:$https_port-:443" \
            -display none -serial "file:$dir/console.log" -daemonize -pidfile "$dir/qemu.pid"
    fi
    local started=$SECONDS
    until ssh_vm true 2> /dev/null; do
        running || die "qemu stopped; its console: $dir/console.log"
        ((SECONDS - started < ${VM_BOOT_TIMEOUT:-900})) || die "no SSH after ${VM_BOOT_TIMEOUT:-900} s; console: $dir/console.log"
        sleep 5
    done
    say "SSH answers after $((SECONDS - started)) s"
    cat > "$dir/inventory.yml" << EOF
# Written by tools/vm.sh (make vm): the local qemu VM, reached on 127.0.0.1.
all:
  children:
    inception:
      hosts:
        inception-vm:
          ansible_host: 127.0.0.1
          ansible_port: $ssh_port
          ansible_user: $user
          ansible_ssh_private_key_file: $PWD/$dir/id_ed25519
          ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
          ansible_become: true
          ansible_python_interpreter: /usr/bin/python3
EOF
    # Ansible reads group_vars beside the inventory: the same mapping and vault
    # as this machine's (inventory/group_vars/all).
    ln -sfn "$PWD/inventory/group_vars" "$dir/group_vars"
    say "inventory: $dir/inventory.yml (make INVENTORY=$dir/inventory.yml; the site: https://<domain>:$https_port/ with <domain> mapped to 127.0.0.1 here)"
}

stop() {
    running || { say "not running"; return 0; }
    local pid
    pid=$(cat "$dir/qemu.pid")
    ssh_vm sudo -n systemctl poweroff 2> /dev/null || kill "$pid"
    for _attempt in $(seq 120); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 1
    done
    kill -0 "$pid" 2> /dev/null && kill "$pid"
    rm -f "$dir/qemu.pid"
    say "stopped"
}

case ${1:-up} in
    up) up ;;
    check)
        started=$SECONDS
        up
        ssh_vm sudo -n true || die "sudo -n true failed: the user cannot use sudo without a password"
        say "SSH and sudo -n true work ($(ssh_vm uname -sr | tr -d '\n') $(ssh_vm cat /etc/debian_version)); $((SECONDS - started)) s from the start"
        stop
        ;;
    stop) stop ;;
    destroy)
        stop
        rm -rf "$dir"
        say "removed $dir"
        ;;
    *) die "usage: $0 up|check|stop|destroy" ;;
esac
