#!/usr/bin/env bash
# The web tests' front-end packages, from the npm registry at the versions package-lock.json
# pins (integrity-checked by npm ci): axe-core, injected into every page the browser tests
# open. Nothing is fetched from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts --silent
test -f node_modules/axe-core/axe.min.js
