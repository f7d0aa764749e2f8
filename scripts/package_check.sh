#!/usr/bin/env bash
# Installs the Debian package on this machine and operates it as an operator would
# (docs/operations.md, "Checking the package"):
#   1. build the packages (scripts/package.sh), check their metadata and lintian-free layout
#   2. `apt-get install ./scone-open_*.deb`, then once more (the upgrade path of postinst)
#   3. check the units with `systemd-analyze verify`, the man pages with `man -l`, the
#      completion with bash
#   4. start las, then cas, with exactly the units' ExecStart lines, as the user `scone`
#      without privileges (systemd is not PID 1 here, so units cannot be started), read the
#      key hash and the token from cas's log, attest and provision CAS with /usr/bin/scone
#   5. stop both, `apt-get remove` (configuration and state stay), `apt-get purge` (nothing
#      of the package is left: files, /etc/scone, /var/lib/scone, the user)
# Needs root on Debian 12. Refuses to run where scone-open, /etc/scone, /var/lib/scone or
# the user `scone` already exist: purging would delete an operator's CAS database.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "package_check: $*" >&2; exit 1; }
step() { echo "== $*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (it installs and purges a package)"
if dpkg-query -W -f='${Status}' scone-open 2>/dev/null | grep -q "installed"; then
  fail "scone-open is installed here; this check would purge it (and CAS's database)"
fi
for p in /etc/scone /var/lib/scone; do
  [ ! -e "$p" ] || fail "$p exists; this check would delete it on purge"
done
! getent passwd scone >/dev/null || fail "a user 'scone' exists; this check would delete it"

step "build the packages"
dir=$(scripts/package.sh)
deb=$(ls "$dir"/scone-open_*_amd64.deb)
dbg=$(ls "$dir"/scone-open-dbgsym_*_amd64.deb)
echo "$deb"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libssl3 libsqlite3-0 libfmt9 libspdlog1.10 passwd; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
dpkg-deb -c "$dbg" >"$dir/dbgsym.contents"
grep -q "usr/lib/debug/.build-id/.*\.debug" "$dir/dbgsym.contents" || fail "no debug files in $dbg"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if dpkg-query -W -f='${Status}' scone-open 2>/dev/null | grep -q "installed\|config-files"; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq scone-open scone-open-dbgsym \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive

step "install"
apt-get install -y -qq "$deb" "$dbg" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install failed"; }
step "install again (postinst's upgrade path)"
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i (again) failed"; }

step "what the package installed"
for f in /usr/bin/scone /usr/bin/las /usr/bin/scone-run /usr/bin/cas /usr/bin/cas.sig \
  /etc/scone/cas.toml /etc/scone/las.conf /usr/lib/systemd/system/las.service \
  /usr/lib/systemd/system/cas.service /usr/share/bash-completion/completions/scone \
  /usr/share/zsh/vendor-completions/_scone /usr/share/man/man1/scone.1.gz \
  /usr/share/man/man1/scone-cas-attest.1.gz; do
  [ -e "$f" ] || fail "$f is missing"
done
getent passwd scone | grep -q ":/var/lib/scone:/usr/sbin/nologin$" || fail "user scone: $(getent passwd scone)"
[ "$(stat -c '%U:%G %a' /var/lib/scone)" = "scone:scone 750" ] || fail "/var/lib/scone: $(stat -c '%U:%G %a' /var/lib/scone)"
[ "$(stat -c '%U:%G %a' /etc/scone/cas.toml)" = "root:scone 640" ] || fail "cas.toml: $(stat -c '%U:%G %a' /etc/scone/cas.toml)"
for program in scone las scone-run cas; do
  [[ "$(file -b "/usr/bin/$program")" == *", stripped"* ]] || fail "/usr/bin/$program is not stripped"
done
# The signature is over the installed (stripped) bytes: MRENCLAVE is their SHA-256.
/usr/bin/scone signer info /usr/bin/cas --format json | python3 -c '
import hashlib, json, sys
d = json.load(sys.stdin)
digest = hashlib.sha256(open("/usr/bin/cas", "rb").read()).hexdigest()
assert d["signed"] and not d["debug"] and d["isvprodid"] == 41, d
assert d["mrenclave"].lower() == digest, (d["mrenclave"], digest)
' || fail "/usr/bin/cas is not signed for production over its installed bytes"

step "systemd-analyze verify and security"
systemd-analyze verify /usr/lib/systemd/system/las.service /usr/lib/systemd/system/cas.service
# systemd's exposure score (0 safest, 10 unconfined; 0.6 and 1.4 when written): fail above 2.0.
for unit in las.service cas.service; do
  systemd-analyze security --offline=true --threshold=20 "/usr/lib/systemd/system/$unit" | tail -1
done

step "manual pages render without warnings"
for page in /usr/share/man/man1/scone*.1.gz; do
  warnings=$(zcat "$page" | groff -man -Tutf8 -ww -z 2>&1) || fail "$page: groff failed"
  [ -z "$warnings" ] || fail "$page: $warnings"
done
man -l /usr/share/man/man1/scone-cas-attest.1.gz 2>/dev/null | grep -q "attest" || fail "man -l scone-cas-attest"

step "bash completion from the installed script"
reply=$(bash -c 'source /usr/share/bash-completion/completions/scone
  COMP_WORDS=(scone cas at); COMP_CWORD=2; _scone; echo "${COMPREPLY[*]}"')
[ "$reply" = "attest" ] || fail "scone cas at<TAB>: '$reply'"

# ExecStart= of a unit, as systemd runs it: $VARS from its EnvironmentFile, as the unit's
# user, umask 0077, no new privileges, no capabilities, working directory /.
unit_exec() { sed -n 's/^ExecStart=//p' "/usr/lib/systemd/system/$1"; }
run_unit() {
  local unit=$1 log=$2
  (
    set -a
    # shellcheck disable=SC1091  # the installed file
    [ ! -f /etc/scone/las.conf ] || . /etc/scone/las.conf
    set +a
    cd /
    umask 0077
    exec setpriv --reuid=scone --regid=scone --init-groups --no-new-privs --inh-caps=-all \
      --bounding-set=-all -- sh -c "exec $(unit_exec "$unit")"
  ) >"$log" 2>&1 &
  pids+=($!)
}
wait_for() {
  local pattern=$1 log=$2
  for _ in $(seq 300); do
    grep -q "$pattern" "$log" && return 0
    sleep 0.1
  done
  cat "$log"
  fail "no '$pattern' in $log"
}

step "start las as las.service would"
run_unit las.service "$work/las.log"
wait_for "listening on unix:" "$work/las.log"
[ "$(stat -c '%U' /var/lib/scone/platform/las.sock)" = "scone" ] || fail "las.sock is not the user scone's"

step "start cas as cas.service would (StateDirectory=scone/cas made as systemd would)"
install -d -o scone -g scone -m 0700 /var/lib/scone/cas
run_unit cas.service "$work/cas.log"
wait_for "(api)" "$work/cas.log"
cat "$work/cas.log"
[ "$(stat -c '%U %a' /var/lib/scone/cas/cas.db)" = "scone 600" ] || fail "cas.db: $(stat -c '%U %a' /var/lib/scone/cas/cas.db)"

step "attest and provision with /usr/bin/scone"
key_hash=$(awk '/CAS key hash:/ {print $7; exit}' "$work/cas.log")
token=$(awk '/CAS provisioning token:/ {print $7; exit}' "$work/cas.log")
if [ -z "$key_hash" ] || [ -z "$token" ]; then fail "no key hash or token in cas's log"; fi
export SCONE_CLI_CONFIG="$work/cli/config.json"
sim=/var/lib/scone/platform/sim-root-ca.pem
printf '[api_identity]\ncommon_name = "cas.local"\nalt_names = ["cas.local", "127.0.0.1"]\n' >"$work/owner.toml"
# Provisioning attests CAS first; then anyone may attest the provisioned CAS.
/usr/bin/scone cas provision 127.0.0.1:8081 -c "$key_hash" --token "$token" \
  --config-file "$work/owner.toml" with-attestation --only_for_testing-sim-root-ca "$sim"
/usr/bin/scone cas attest 127.0.0.1:8081 -c "$key_hash" --only_for_testing-sim-root-ca "$sim"
/usr/bin/scone cas list

step "stop"
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || fail "a service did not stop cleanly"; done
pids=()
grep -q "stopping" "$work/cas.log" || fail "cas did not log its stop"

step "apt-get remove: programs gone, configuration and state kept"
files=$(dpkg -L scone-open | sort)
apt-get remove -y -qq scone-open-dbgsym scone-open >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "remove failed"; }
[ ! -e /usr/bin/scone ] || fail "/usr/bin/scone is left after remove"
if [ ! -f /etc/scone/cas.toml ] || [ ! -f /var/lib/scone/cas/cas.db ]; then
  fail "remove deleted configuration or state"
fi

step "apt-get purge: nothing left"
apt-get purge -y -qq scone-open >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "purge failed"; }
left=""
while read -r f; do
  case "$f" in /. | /usr | /usr/* | /etc) [ -d "$f" ] && continue ;; esac
  [ ! -e "$f" ] || left="$left $f"
done <<<"$files"
for f in /etc/scone /var/lib/scone /usr/bin/scone /usr/bin/cas.sig; do
  [ ! -e "$f" ] || left="$left $f"
done
[ -z "$left" ] || fail "left after purge:$left"
! getent passwd scone >/dev/null || fail "user scone is left after purge"
! getent group scone >/dev/null || fail "group scone is left after purge"
dpkg-query -W scone-open >/dev/null 2>&1 && fail "dpkg still knows scone-open"
step "package check passed"
