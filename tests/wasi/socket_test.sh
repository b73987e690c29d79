#!/usr/bin/env bash
# weft run --tcplisten: the WASI guest socket_echo.wasm gets a listening socket
# as descriptor 3, accepts two clients and echoes them; bash's /dev/tcp plays
# the clients and checks the bytes that come back. Runs on 127.0.0.1, on
# localhost and, when the host has IPv6 loopback, on [::1]. Then the refusals:
# addresses that are not, a port already taken, and no socket without the flag.
#   socket_test.sh WEFT WASM_DIR
set -euo pipefail
weft=$1
wasm=$2
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  if [ -f "$work/out" ]; then sed 's/^/  guest: /' "$work/out" >&2; fi
  if [ -f "$work/err" ]; then sed 's/^/  weft: /' "$work/err" >&2; fi
  exit 1
}

# Starts the echo guest on HOST:PORT ($1) and waits until it is ready for
# clients; sets $server. Returns 1 if the port was taken (try another).
start() {
  "$weft" run --tcplisten "$1" "$wasm/socket_echo.wasm" > "$work/out" 2> "$work/err" &
  server=$!
  for _ in $(seq 200); do
    if grep -qx ready "$work/out" 2>/dev/null; then return 0; fi
    if ! kill -0 "$server" 2>/dev/null; then
      wait "$server" || true
      server=
      if grep -q "in use" "$work/err"; then return 1; fi
      fail "weft run --tcplisten $1 exited before it was ready"
    fi
    sleep 0.05
  done
  fail "the guest on $1 never became ready"
}

# The two clients socket_echo.c expects, against HOST ($1) and PORT ($2).
talk() {
  local host=$1 port=$2 reply go
  exec 5<>"/dev/tcp/$host/$port" || fail "cannot connect to $host port $port"
  printf 'hello weft\n' >&5
  reply=$(timeout 10 cat <&5) || fail "the first reply never ended (no shutdown?)"
  printf 'bye\n' >&5
  exec 5>&-
  [ "$reply" = "hello weft" ] || fail "first echo: '$reply'"

  exec 6<>"/dev/tcp/$host/$port" || fail "cannot connect again to $host port $port"
  read -r -t 10 go <&6 || fail "the second connection was not greeted"
  [ "$go" = go ] || fail "expected 'go', got '$go'"
  printf 'second message\n' >&6
  reply=$(timeout 10 cat <&6) || fail "the second reply never ended"
  exec 6>&-
  [ "$reply" = "second message" ] || fail "second echo: '$reply'"

  local code=0
  wait "$server" || code=$?
  server=
  [ "$code" = 0 ] || fail "the guest exited with $code"
  grep -qx "failures=0" "$work/out" || fail "the guest's own checks"
}

# Is there a listening TCP socket on exactly ADDRESS ($1, as /proc/net/tcp*
# writes it) and PORT ($2)? A listener wider than asked (0.0.0.0 for
# localhost) would be a hole, not just a detail.
listening() {
  local wanted
  wanted=$(printf '%s:%04X' "$1" "$2")
  awk -v want="$wanted" '$2 == want && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6
}

# Runs the echo on HOST (as --tcplisten writes it: $1) reached as $2 and
# listed in /proc/net as $3, trying a few random ports in case one is taken.
echoOn() {
  local listen=$1 connect=$2 procAddress=$3 port
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    if start "$listen:$port"; then
      listening "$procAddress" "$port" || fail "nothing listens on exactly $listen:$port"
      talk "$connect" "$port"
      echo "sockets on $listen:$port: ok"
      return 0
    fi
  done
  fail "no free port for $listen"
}

echoOn 127.0.0.1 127.0.0.1 0100007F
echoOn localhost 127.0.0.1 0100007F
if grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
  echoOn '[::1]' ::1 00000000000000000000000001000000
else
  echo "sockets on [::1]: skipped (no IPv6 loopback)"
fi

# Refusals name the address and say why; the guest never starts.
refused() {  # $1: what the error must contain; the rest: --tcplisten values
  local expect=$1 args=()
  shift
  for address in "$@"; do args+=(--tcplisten "$address"); done
  if "$weft" run "${args[@]}" "$wasm/socket_echo.wasm" > "$work/out" 2> "$work/err"; then
    fail "--tcplisten $* was accepted"
  fi
  grep -qF -- "$expect" "$work/err" || fail "--tcplisten $*: expected '$expect' in the error"
  if grep -q ready "$work/out"; then fail "--tcplisten $*: the guest ran"; fi
}
refused "999.1.2.3:80" 999.1.2.3:80
refused "example.com:80" example.com:80
refused "127.0.0.1:65536" 127.0.0.1:65536
refused "127.0.0.1" 127.0.0.1
refused "[::1]:" "[::1]:"
refused "[::1]:8080" ::1:8080   # unbracketed IPv6: the error suggests brackets
port=$((20000 + RANDOM % 40000))
refused "127.0.0.1:$port: Address already in use" "127.0.0.1:$port" "127.0.0.1:$port"

# Without --tcplisten the guest has no socket: descriptor 3 does not exist.
if "$weft" run "$wasm/socket_echo.wasm" > "$work/out" 2> "$work/err"; then fail "the echo ran with no socket"; fi
grep -q "FAIL descriptor 3 is the granted listener" "$work/out" || fail "a socket appeared without --tcplisten"
echo "sockets: ok"
