#!/usr/bin/env bash
# Installs the Debian packages RM Desk's tests and tools use, when they are missing.
#   dbus, gnome-keyring   a real Secret Service, so the keyring tests use a real OS credential store
#   postgresql            initdb and pg_ctl, so the server's tests also run on a throwaway PostgreSQL
#                         cluster (tests/server/postgres.py; the packaged cluster is not used)
#   fonts-noto-cjk        a Simplified Chinese font, so the Chinese UI and its screenshots render
#                         (rm_desk.views.i18n.apply_fonts picks it up)
# Runs apt-get only as root on a Debian-like system; anywhere else it lists what is missing and
# carries on (the tests that need those packages skip with a reason).
set -euo pipefail

packages=(dbus dbus-daemon gnome-keyring postgresql fonts-noto-cjk)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "Not installed (tests that need them will skip): ${missing[*]}" >&2
fi
