#!/usr/bin/env bash
# The .deb on this machine: cpack builds it from the build tree; dpkg installs it; systemd-analyze
# verifies its unit. These machines run no systemd, so the unit's ExecStart is then run by hand as
# systemd would: as its user, with its environment file and its state directory. The console must
# answer, and `orgledger --server` must work against it. Then the package is purged, and nothing of
# it may remain but the data directory (the ledger itself, which a package never deletes).
# Exit 77 (skipped) when not root: it installs a package.
set -euo pipefail
build=$1
if [[ $(id -u) -ne 0 ]]; then echo "not root: skipped"; exit 77; fi
if [[ $(dpkg-query -W -f='${Status}' orgledger 2>/dev/null || true) == "install ok installed" ]]; then
  echo "an orgledger package is already installed on this machine: not touching it"; exit 77
fi

work=$(mktemp -d)
state=/var/lib/orgledger
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  dpkg --purge orgledger >/dev/null 2>&1 || true
  rm -rf "$work" "$state"
}
trap cleanup EXIT

# --- build and install -------------------------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$work/package" >/dev/null)
deb=$(ls "$work"/package/orgledger_*.deb)
info=$(dpkg-deb --info "$deb")  # (captured: grep -q on a pipe would end its writer early)
grep -q "Depends:.*adduser" <<<"$info"
contents=$(dpkg-deb --contents "$deb")
for file in ./usr/bin/orgledger ./lib/systemd/system/orgledger.service ./etc/default/orgledger \
            ./usr/share/bash-completion/completions/orgledger ./usr/share/man/man1/orgledger.1.gz; do
  grep -q " $file\$" <<<"$contents" || grep -q " $file " <<<"$contents" || { echo "the .deb lacks $file"; exit 1; }
done
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >/dev/null
getent passwd orgledger >/dev/null || { echo "no orgledger user after install"; exit 1; }
unit=/lib/systemd/system/orgledger.service
installed=$(dpkg-query -L orgledger)
grep -qx /etc/default/orgledger <<<"$installed"
grep -qx /etc/default/orgledger /var/lib/dpkg/info/orgledger.conffiles

# --- the unit --------------------------------------------------------------------------------------
# systemd-analyze verify checks the unit's syntax and directives, that ExecStart's binary exists
# and that its Documentation= (the man page) resolves; it needs no running systemd for that.
if ! verify_out=$(systemd-analyze verify "$unit" 2>&1) || [[ -n $verify_out ]]; then
  echo "systemd-analyze verify: $verify_out"; exit 1
fi
for directive in "User=orgledger" "StateDirectory=orgledger" "ProtectSystem=strict" "NoNewPrivileges=yes" \
                 "EnvironmentFile=/etc/default/orgledger"; do
  grep -qx "$directive" "$unit" || { echo "the unit lacks $directive"; exit 1; }
done

# --- ExecStart by hand, as systemd would run it ----------------------------------------------------
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
install -d -m 0700 -o orgledger -g orgledger "$state"  # StateDirectory=
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s/^ORGLEDGER_SERVE_OPTIONS=.*/ORGLEDGER_SERVE_OPTIONS=\"--listen 127.0.0.1:$port\"/" /etc/default/orgledger
# EnvironmentFile=: the file's assignments, then ExecStart with $VARIABLES split into words.
runuser -u orgledger -- env -i PATH=/usr/bin:/bin \
  bash -c 'set -a; . /etc/default/orgledger; set +a; cd /; exec '"$exec_start" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve.log"; exit 1; }
[[ $(stat -c '%U %a' "$state") == "orgledger 700" ]] || { echo "state directory: $(stat -c '%U %a' "$state")"; exit 1; }
# The console answers, with no token.
page=$(curl -fs "http://127.0.0.1:$port/")
grep -qi "<html" <<<"$page"

# A token made by the service's user beside the running server (through its admin socket), then the
# command line of another user talks to the server with it.
token=$(runuser -u orgledger -- env ORGLEDGER_DATA=$state /usr/bin/orgledger token create --name desk --scopes admin --act-as '*')
export ORGLEDGER_SERVER="http://127.0.0.1:$port" ORGLEDGER_TOKEN="$token"
echo '{"type":"RegisterUser","actor":"svc:signup","user":"carol","login":"carol@example.ch"}
{"type":"CreateOrganization","actor":"carol","org":"acme","name":"Acme SA"}' | /usr/bin/orgledger submit >/dev/null
members=$(/usr/bin/orgledger members acme --json)
grep -q '"user":"carol","role":"legal_representative"' <<<"$members" || { echo "members: $members"; exit 1; }
/usr/bin/orgledger checkpoint >/dev/null || true  # signed within a second; not required here
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
runuser -u orgledger -- /usr/bin/orgledger verify --data "$state" >/dev/null

# --- removal ----------------------------------------------------------------------------------------
dpkg --purge orgledger >/dev/null
for path in /usr/bin/orgledger "$unit" /etc/default/orgledger /usr/share/man/man1/orgledger.1.gz; do
  [[ ! -e $path ]] || { echo "$path remains after purge"; exit 1; }
done
! getent passwd orgledger >/dev/null || { echo "the orgledger user remains after purge"; exit 1; }
[[ -d $state ]] || { echo "purge removed the data directory"; exit 1; }
echo ok
