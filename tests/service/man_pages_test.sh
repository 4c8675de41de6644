#!/usr/bin/env bash
# The manual pages as an admin reads them: `man -l` renders each built page
# with no groff warning, and the pages cannot go stale silently: every
# subcommand and option the programs' --help lists, and every key of the
# example config, is in its page.
#   man_pages_test.sh MAN_DIR GG_AGENT GGCTL EXAMPLE_CONFIG
set -euo pipefail

man_dir=$1 gg_agent=$2 ggctl=$3 example=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gg-man.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

render() {  # render PAGE -> text in $scratch/PAGE.txt
  local page=$1
  [[ -f $man_dir/$page.gz ]] || fail "$page.gz was not built"
  MANWIDTH=80 MAN_KEEP_FORMATTING=0 man --warnings -E UTF-8 -l "$man_dir/$page.gz" \
    >"$scratch/$page.txt" 2>"$scratch/$page.err" </dev/null ||
    { cat "$scratch/$page.err" >&2; fail "man -l $page"; }
  if [[ -s $scratch/$page.err ]]; then
    cat "$scratch/$page.err" >&2
    fail "man -l $page printed warnings"
  fi
  # Strip any overstrike bold/underline a formatter left in.
  sed -i 's/.\x08//g' "$scratch/$page.txt"
}

subcommands() {  # the first words of the Subcommands: section of --help
  "$1" --help | sed -n '/^Subcommands:/,/^$/{/^  [a-z]/{s/^  \([a-z-]*\).*/\1/p}}'
}
options() {  # the long options of a --help text on stdin
  grep -o -- '--[a-z][a-z-]*' | sort -u
}
has() {  # has PAGE WORD...
  local page=$1 word; shift
  for word in "$@"; do
    grep -qF -- "$word" "$scratch/$page.txt" ||
      fail "$page does not mention $word: document it in docs/man/$page.scd"
  done
}

for page in gg-agent.8 ggctl.1 gg-agent.json.5; do
  render "$page"
  name=${page%.*}
  grep -q "^NAME" "$scratch/$page.txt" || fail "$page has no NAME section"
  grep -qE "^ +$name - " "$scratch/$page.txt" || fail "$page: no '$name - ' line"
done

mapfile -t agent_commands < <(subcommands "$gg_agent")
((${#agent_commands[@]} >= 5)) || fail "gg-agent --help lists too few subcommands"
has gg-agent.8 "${agent_commands[@]}"
for command in "${agent_commands[@]}"; do
  mapfile -t opts < <("$gg_agent" "$command" --help | options)
  has gg-agent.8 "${opts[@]}"
done

mapfile -t ctl_commands < <(subcommands "$ggctl")
((${#ctl_commands[@]} >= 4)) || fail "ggctl --help lists too few subcommands"
has ggctl.1 "${ctl_commands[@]}"
mapfile -t opts < <("$ggctl" --help | options)
has ggctl.1 "${opts[@]}"

# Every key of the example config, section names included.
mapfile -t keys < <(python3 -c '
import json, sys
def walk(o):
    for k, v in o.items():
        print(k)
        if isinstance(v, dict):
            walk(v)
walk(json.load(open(sys.argv[1])))' "$example" | sort -u)
((${#keys[@]} >= 20)) || fail "too few keys read from $example"
has gg-agent.json.5 "${keys[@]}"
echo "man pages OK: ${#agent_commands[@]} + ${#ctl_commands[@]} commands, ${#keys[@]} config keys"
