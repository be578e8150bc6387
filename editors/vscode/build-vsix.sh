#!/usr/bin/env bash
# Builds editors/vscode/scdx.vsix with @vscode/vsce. Needs no network when the packages are in npm's
# cache or node_modules/ already (--prefer-offline); regenerates nothing: the grammar is committed
# (test/lang/textmate.test.ts keeps it equal to what lang/textmate.ts derives from the lexer).
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/vscode-languageclient ] && [ -d node_modules/@vscode/vsce ] ||
  npm ci --prefer-offline --no-audit --no-fund
npx --no-install vsce package --out scdx.vsix
