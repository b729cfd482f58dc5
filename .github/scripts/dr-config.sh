#!/usr/bin/env bash
# dr-config.sh FILE SECTION FIELD VALUE
#
# Sets one field of a stack config's block section (e.g. dbay:fleet
# standby active in Pulumi.dr.yaml) and changes nothing else in the file:
# comments, order and the other keys stay byte for byte, so the failover and
# failback commits hold exactly the config change (internal/ci drives this
# through the workflows). `pulumi config set` would rewrite the whole file.
#
#   - the field exists in the block:      its value is replaced, its comment kept;
#   - the block exists without the field: "    FIELD: VALUE" is its first line;
#   - no such block:                      "  SECTION:" with the field follows "config:".
#
# A section written in flow style ({...}) is refused rather than rewritten.
set -euo pipefail
[ "$#" -eq 4 ] || { echo "usage: $0 FILE SECTION FIELD VALUE" >&2; exit 2; }
file=$1 section=$2 field=$3 value=$4
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
awk -v section="$section" -v field="$field" -v value="$value" '
{ lines[NR] = $0 }
END {
  head = "  " section ":"; key = "    " field ":"
  for (i = 1; i <= NR; i++) {
    if (lines[i] ~ /^config:[ \t]*$/ && !cfg) cfg = i
    if (!s && index(lines[i], head) == 1) s = i
  }
  if (s) {
    after = substr(lines[s], length(head) + 1); sub(/[ \t]+#.*/, "", after)
    if (after ~ /[^ \t]/) { print "dr-config: " section " is not a block: " lines[s] > "/dev/stderr"; exit 1 }
    # the block runs to the next key indented two spaces or less
    for (i = s + 1; i <= NR; i++) {
      if (lines[i] ~ /^ ? ?[^ #]/ && lines[i] !~ /^    /) break
      if (!f && index(lines[i], key) == 1) f = i
    }
  } else if (!cfg) { print "dr-config: no config: line" > "/dev/stderr"; exit 1 }
  for (i = 1; i <= NR; i++) {
    if (i == f) {
      rest = substr(lines[i], length(key) + 1); comment = ""
      if (match(rest, /[ \t]+#/)) comment = substr(rest, RSTART)
      print key " " value comment
      continue
    }
    print lines[i]
    if (s && !f && i == s) print key " " value
    if (!s && i == cfg) { print head; print key " " value }
  }
}' "$file" > "$tmp"
cat "$tmp" > "$file"
