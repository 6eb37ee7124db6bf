#!/usr/bin/env bash
# Runs a command with a real, unlocked, throwaway Secret Service (gnome-keyring on a private D-Bus
# session) so keychain tests exercise the same backend users have. Installs it with apt when missing
# (CI runs as root on Debian). Elsewhere (macOS, Windows, a desktop session) it runs the command as is.
set -euo pipefail

if [ "$(uname -s)" != "Linux" ] || [ -n "${FTAUTH_KEYRING_READY:-}" ]; then
  exec "$@"
fi

if ! command -v gnome-keyring-daemon >/dev/null || ! command -v dbus-run-session >/dev/null || ! command -v secret-tool >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "with-keyring: installing gnome-keyring, dbus and libsecret-tools with apt" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnome-keyring dbus dbus-daemon libsecret-tools >/dev/null
  else
    echo "with-keyring: gnome-keyring-daemon, dbus-run-session and secret-tool are needed (apt-get install gnome-keyring dbus libsecret-tools)" >&2
    exit 1
  fi
fi

keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export FTAUTH_KEYRING_HOME="$keyring_home"
exec dbus-run-session -- bash -c '
  set -euo pipefail
  export HOME="$FTAUTH_KEYRING_HOME" XDG_DATA_HOME="$FTAUTH_KEYRING_HOME/.local/share" XDG_RUNTIME_DIR="$FTAUTH_KEYRING_HOME/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  # --unlock exits 0 even with a wrong password, and a D-Bus-activated daemon can win the race
  # (then it wants a prompter to create the keyring): prove a write/read works, else start over.
  for attempt in 1 2 3 4 5; do
    eval "$(printf %s ftauth-test-keyring | gnome-keyring-daemon --replace --unlock --components=secrets 2>/dev/null)"
    export GNOME_KEYRING_CONTROL
    sleep 0.3
    if printf %s probe | secret-tool store --label=ftauth-probe ftauth-probe probe 2>/dev/null &&
       [ "$(secret-tool lookup ftauth-probe probe 2>/dev/null)" = probe ]; then
      secret-tool clear ftauth-probe probe
      export FTAUTH_KEYRING_READY=1
      exec "$@"
    fi
    sleep 0.5
  done
  echo "with-keyring: the throwaway Secret Service did not accept a write/read" >&2
  exit 1
' with-keyring "$@"
