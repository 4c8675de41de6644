# bash completion for gg-agent(8). Installed as
# /usr/share/bash-completion/completions/gg-agent (loaded on demand).
_gg_agent() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="run check-config doctor hwid install uninstall version"
  if [[ $prev == --config ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return
  fi
  if [[ $prev == --product ]]; then
    return  # a product UUID: nothing to offer
  fi
  if ((cword == 1)); then
    mapfile -t COMPREPLY < <(compgen -W "$commands --help" -- "$cur")
    return
  fi
  local options
  case ${words[1]} in
    run | check-config) options="--config --help" ;;
    hwid) options="--config --components --json --product --help" ;;
    doctor) options="--config --json --help" ;;
    *) options="--help" ;;
  esac
  mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
}
complete -F _gg_agent gg-agent
