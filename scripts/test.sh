#!/usr/bin/env bash
# The one test command (README Quickstart and .ci/run): build, then every test under a real throwaway
# keychain; with CI set, the CLI and keychain tests again under Node 22 and 24 (scripts/test-nodes.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Lint first, a fast fail (npm run lint: Biome over src, test, scripts and bin; docs/architecture.md "Style").
npm run lint
npm run build
scripts/ensure-test-tools.sh
scripts/with-keyring.sh npx vitest run "$@"
if [ -n "${CI:-}" ] && [ $# -eq 0 ]; then
  scripts/test-nodes.sh
fi
