#!/usr/bin/env bash
# The programs the browser, terminal and completion tests drive: Chromium (headless, through
# playwright-core), tmux, fish and zsh. Installed with apt when missing and run as root (as CI runs on
# Debian), like scripts/with-keyring.sh installs gnome-keyring; otherwise a clear message and exit 1,
# so no test is skipped silently.
set -euo pipefail

[ "$(uname -s)" = "Linux" ] || exit 0
missing=()
for tool in chromium tmux fish zsh; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-test-tools: installing ${missing[*]} with apt" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "ensure-test-tools: the browser and terminal tests need ${missing[*]} (apt-get install ${missing[*]}); run as root to install them" >&2
  exit 1
fi
