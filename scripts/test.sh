#!/usr/bin/env bash
# The one test command (README Quickstart and .ci/run): build, then every test under a real throwaway keychain.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
exec scripts/with-keyring.sh npx vitest run "$@"
