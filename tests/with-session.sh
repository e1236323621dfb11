#!/bin/bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, as a
# desktop login would provide: the OS keyring tests need a Secret Service. Everything it
# starts is stopped when the command ends.
# usage: tests/with-session.sh COMMAND [ARGS...]
set -euo pipefail
if [ -z "${_CODEMYSPEC_IN_SESSION:-}" ]; then
  export _CODEMYSPEC_IN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home" NO_AT_BRIDGE=1
eval "$(printf 'codemyspec-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
"$@"
