#!/usr/bin/env bash
# Starts simulated SSH hosts on this machine for the SSH executor's tests (as root): one sshd per
# host on its own loopback address (port 2222), each inside its own UTS, PID and mount namespaces
# (`unshare --uts --pid --fork --mount-proc`), so each host has its own hostname and pid space
# while the filesystem stays shared (the run root is at the same path everywhere).
#
#   bash tools/ci/start-sshd.sh                    # gpu-a on 127.0.0.2, gpu-b on 127.0.0.3
#   bash tools/ci/start-sshd.sh gpu-c=127.0.0.4    # other hosts (tests that kill a host use their own)
#
# Everything goes under $RUNBOARD_SSH_CI (default /tmp/runboard-ssh-ci): the client key
# (id_ed25519), ssh_config (Host <name> → address, port, user, key, known_hosts), and per host
# hosts/<name>/{sshd_config,host key,sshd.log,ns.pid} — ns.pid is the namespace's init (sshd) as
# this machine sees it: killing it ends the host and every process in it.
# Idempotent: a host whose sshd answers is left alone. Debian packages: openssh-server openssh-client.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then echo "start-sshd: must run as root" >&2; exit 1; fi
for tool in sshd ssh ssh-keygen unshare; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "start-sshd: $tool is missing (apt-get install openssh-server openssh-client)" >&2; exit 1; }
done
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
dir=${RUNBOARD_SSH_CI:-/tmp/runboard-ssh-ci}
port=2222
user=$(id -un)
[ $# -gt 0 ] || set -- gpu-a=127.0.0.2 gpu-b=127.0.0.3

mkdir -p "$dir/hosts" /run/sshd
chmod 700 "$dir"
[ -s "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C runboard-ci -f "$dir/id_ed25519"
# Appended, never overwritten: tests add keys of their own (to count their own handshakes).
touch "$dir/authorized_keys"
grep -qxF "$(cat "$dir/id_ed25519.pub")" "$dir/authorized_keys" || cat "$dir/id_ed25519.pub" >> "$dir/authorized_keys"
touch "$dir/known_hosts" "$dir/ssh_config"

for spec in "$@"; do
  name=${spec%%=*}
  address=${spec#*=}
  host_dir="$dir/hosts/$name"
  mkdir -p "$host_dir"
  [ -s "$host_dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$host_dir/host_ed25519"
  if ! grep -qx "Host $name" "$dir/ssh_config"; then
    cat >> "$dir/ssh_config" <<CONF
Host $name
  HostName $address
  Port $port
  User $user
  IdentityFile $dir/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  StrictHostKeyChecking accept-new
  BatchMode yes
  ConnectTimeout 20
CONF
  fi
  # Absolute paths: sshd re-executes itself for each connection.
  cat > "$host_dir/sshd_config" <<CONF
ListenAddress $address:$port
HostKey $host_dir/host_ed25519
PidFile none
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
MaxSessions 100
MaxStartups 100:30:200
LogLevel VERBOSE
Subsystem sftp internal-sftp
# Bash sources ~/.bashrc for commands sshd runs only at shell level 1: the tests' commands must
# not depend on (or hang in) the account's dotfiles, such as a pyenv rehash waiting on a lock.
SetEnv SHLVL=1
CONF
  if timeout 5 ssh -F "$dir/ssh_config" "$name" true 2>/dev/null; then
    echo "start-sshd: $name ($address:$port) already answers"
    continue
  fi
  [ -s "$host_dir/ns.pid" ] && kill -9 "$(cat "$host_dir/ns.pid")" 2>/dev/null || true
  : > "$host_dir/sshd.log"
  # The namespace's pid 1 is sshd itself (exec), so its end ends the host's processes too.
  setsid unshare --uts --pid --fork --mount-proc \
    sh -c "hostname '$name' && exec '$SSHD' -D -f '$host_dir/sshd_config' -E '$host_dir/sshd.log'" \
    </dev/null >/dev/null 2>&1 &
  unshare_pid=$!
  for _ in $(seq 1 50); do
    init=$(pgrep -P "$unshare_pid" 2>/dev/null | head -1 || true)
    [ -n "$init" ] && timeout 5 ssh -F "$dir/ssh_config" "$name" true 2>/dev/null && break
    sleep 0.1
  done
  [ -n "${init:-}" ] || { echo "start-sshd: $name did not start (see $host_dir/sshd.log)" >&2; exit 1; }
  echo "$init" > "$host_dir/ns.pid"
  echo "start-sshd: $name on $address:$port, hostname $(ssh -F "$dir/ssh_config" "$name" hostname), init pid $init"
done
echo "start-sshd: ssh -F $dir/ssh_config <host>"
