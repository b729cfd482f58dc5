#!/usr/bin/env bash
# Builds the Pulumi program and the tools a job runs once, into <dir>, and
# points this checkout's Pulumi.yaml at the built program, so `pulumi
# preview` and `pulumi up` run it instead of compiling the program again
# (Pulumi's Go runtime option `binary`, a pre-built executable:
# https://pulumi.com/docs/concepts/projects, "Pulumi.yaml for a Go program that uses a pre-built executable").
# The committed Pulumi.yaml keeps `runtime: go`, so nobody runs a stale binary
# on a laptop; only a CI runner's throwaway checkout is rewritten.
#
#   .github/scripts/prebuilt.sh "$RUNNER_TEMP/bin"
#
# internal/ci runs this script with a stub `go` (GO=...) and checks the result.
set -euo pipefail
bin="${1:?usage: prebuilt.sh <dir>}"
go="${GO:-go}"
mkdir -p "$bin"
bin="$(cd "$bin" && pwd)"
"$go" build -o "$bin/dbay" .
"$go" build -o "$bin/" ./cmd/synth ./cmd/guard
test -x "$bin/dbay" && test -x "$bin/synth" && test -x "$bin/guard"
if ! grep -qx 'runtime: go' Pulumi.yaml; then
  echo "prebuilt.sh: Pulumi.yaml has no 'runtime: go' line to point at $bin/dbay" >&2
  exit 1
fi
tmp="$(mktemp)"
awk -v bin="$bin/dbay" '
  $0 == "runtime: go" { print "runtime:"; print "  name: go"; print "  options:"; print "    binary: " bin; next }
  { print }
' Pulumi.yaml > "$tmp"
mv "$tmp" Pulumi.yaml
echo "prebuilt.sh: built dbay, synth and guard in $bin; Pulumi.yaml runs $bin/dbay"
