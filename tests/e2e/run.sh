#!/bin/bash
# Runs a WebDriver test against the real app window: Xvfb on a free display, a private D-Bus
# session with an unlocked gnome-keyring, dunst as the notification daemon, tauri-driver
# (with Debian's WebKitWebDriver) on a free port. Everything started here is stopped at exit.
# usage: tests/e2e/run.sh APP_BINARY TEST.mjs [ARGS...]
set -euo pipefail
if [ -z "${_E2E_IN_SESSION:-}" ]; then
  export _E2E_IN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
APP=$(realpath "$1"); TEST=$(realpath "$2"); shift 2
OUT=${E2E_OUT:-$(dirname "$TEST")/out}
mkdir -p "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Xvfb picks a free display itself and writes its number once it is ready (-displayfd): two
# runs started at the same moment never share one, so one run's end cannot take the other's
# window away.
DISPFILE=$(mktemp)
Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp 3>"$DISPFILE" >"$OUT/xvfb.log" 2>&1 & PIDS+=($!)
for _ in $(seq 100); do [ -s "$DISPFILE" ] && break; sleep 0.1; done
DISP=":$(tr -d '[:space:]' <"$DISPFILE")"; rm -f "$DISPFILE"
[ "$DISP" != ":" ] || { echo "Xvfb did not start: $(cat "$OUT/xvfb.log")" >&2; exit 1; }
export DISPLAY=$DISP NO_AT_BRIDGE=1 GDK_BACKEND=x11

KEYRING_HOME=$(mktemp -d); export XDG_DATA_HOME=$KEYRING_HOME
# A home of its own: set-up projects go to the default workspace folder, $HOME/CodeMySpec.
E2E_HOME=$(mktemp -d); export HOME=$E2E_HOME
eval "$(printf 'codemyspec-e2e' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
dunst >"$OUT/dunst.log" 2>&1 & PIDS+=($!)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); NATIVE=$(free_port)
(cd "$(dirname "$APP")" && exec tauri-driver --port "$PORT" --native-port "$NATIVE" >"$OUT/tauri-driver.log" 2>&1) & PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/status" >/dev/null 2>&1 && break; sleep 0.1; done

WD_URL="http://127.0.0.1:$PORT" APP="$APP" E2E_OUT="$OUT" timeout "${E2E_TIMEOUT:-900}" node "$TEST" "$@"
