#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked GNOME Keyring, so code under test
# talks to a real Secret Service. The keyring's files go to a throwaway folder, never the user's own.
# Where dbus-run-session or gnome-keyring-daemon is missing, runs the command as it is.
set -euo pipefail

if [ -n "${RM_DESK_KEYRING_SESSION:-}" ] || ! command -v dbus-run-session >/dev/null 2>&1 \
    || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
    exec "$@"
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run" RM_DESK_KEYRING_SESSION=1
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- bash -c '
    printf "rm-desk-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    exec "$@"' _ "$@"
