#!/usr/bin/env bash
# Shell completion for ggctl and gg-agent: the bash functions are run on
# typed command lines (with and without the bash-completion package's
# helpers) and must offer exactly what the programs' --help lists; the zsh
# functions must parse and register for their commands.
#   completion_test.sh COMPLETION_DIR GG_AGENT GGCTL
set -euo pipefail

dir=$1 gg_agent=$2 ggctl=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

subcommands() {
  "$1" --help | sed -n '/^Subcommands:/,/^$/{/^  [a-z]/{s/^  \([a-z-]*\).*/\1/p}}' | sort
}
options() {  # the long options of `PROGRAM [COMMAND] --help`
  "$@" --help | grep -o -- '--[a-z][a-z-]*' | sort -u
}

# complete MODE FILE FUNCTION WORD...: what bash offers for the words (the
# last one is being typed), one per line, sorted.
complete_line() {
  local mode=$1 file=$2 function=$3; shift 3
  bash --norc --noprofile -c '
    mode=$1 file=$2 function=$3; shift 3
    if [[ $mode == full ]]; then
      source /usr/share/bash-completion/bash_completion || exit 90
    fi
    source "$file" || exit 91
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    "$function" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"' bash "$mode" "$file" "$function" "$@" |
    sed '/^$/d' | sort
}

expect() {  # expect WHAT GOT WANT
  [[ $2 == "$3" ]] || fail "$1: offered [${2//$'\n'/ }], want [${3//$'\n'/ }]"
}

modes=(plain)
[[ -f /usr/share/bash-completion/bash_completion ]] && modes+=(full)
for mode in "${modes[@]}"; do
  f=$dir/ggctl.bash
  expect "ggctl <TAB> ($mode)" "$(complete_line "$mode" "$f" _ggctl ggctl '')" \
    "$(subcommands "$ggctl")"
  expect "ggctl --socket S st<TAB> ($mode)" \
    "$(complete_line "$mode" "$f" _ggctl ggctl --socket /tmp/s st)" "status"
  expect "ggctl --<TAB> ($mode)" "$(complete_line "$mode" "$f" _ggctl ggctl --)" \
    "$(options "$ggctl")"

  f=$dir/gg-agent.bash
  expect "gg-agent <TAB> ($mode)" \
    "$(complete_line "$mode" "$f" _gg_agent gg-agent '' | grep -v '^--')" \
    "$(subcommands "$gg_agent")"
  for command in $(subcommands "$gg_agent"); do
    expect "gg-agent $command --<TAB> ($mode)" \
      "$(complete_line "$mode" "$f" _gg_agent gg-agent "$command" --)" \
      "$(options "$gg_agent" "$command")"
  done
  # After --config a file name is completed, not an option.
  touch "${TMPDIR:-/tmp}/gg-completion-config.json"
  got=$(complete_line "$mode" "$f" _gg_agent gg-agent run --config \
    "${TMPDIR:-/tmp}/gg-completion-conf")
  rm -f "${TMPDIR:-/tmp}/gg-completion-config.json"
  expect "gg-agent run --config FILE<TAB> ($mode)" "$got" \
    "${TMPDIR:-/tmp}/gg-completion-config.json"
done

# zsh: each file parses, registers for its command through #compdef, and
# names every subcommand.
if command -v zsh >/dev/null; then
  for program in ggctl gg-agent; do
    zsh -n "$dir/_$program" || fail "_$program: zsh syntax"
    # -D alone: no dump file. (With "-d FILE" after it, compinit dumps
    # again, and compdump's "rm -f FILE" once replaced root's /dev/null.)
    registered=$(ZDOTDIR=$scratch zsh -f -c 'fpath=("$1" $fpath);
      autoload -Uz compinit; compinit -u -D; print -r -- ${_comps[$2]}' \
      zsh "$dir" "$program")
    [[ -c /dev/null ]] || fail "zsh compinit replaced /dev/null"
    if [[ -e $scratch/.zcompdump ]]; then fail "zsh compinit wrote a dump file"; fi
    [[ $registered == "_$program" ]] ||
      fail "_$program is not registered for $program (got '$registered')"
    binary=$ggctl
    [[ $program == gg-agent ]] && binary=$gg_agent
    for command in $(subcommands "$binary"); do
      grep -q "'$command:" "$dir/_$program" || fail "_$program lacks $command"
    done
  done
else
  echo "NOTE: no zsh: its completion files were not checked" >&2
fi
echo "completion OK (bash: ${modes[*]})"
