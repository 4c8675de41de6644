# bash completion for ggctl(1). Installed as
# /usr/share/bash-completion/completions/ggctl (loaded on demand).
_ggctl() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  if [[ $prev == --socket ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return
  fi
  local i command=""
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      --socket) ((i++)) ;;
      -*) ;;
      *) command=${words[i]}; break ;;
    esac
  done
  if [[ -z $command ]]; then
    if [[ $cur == -* ]]; then
      mapfile -t COMPREPLY < <(compgen -W "--socket --json --help" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "status sessions metrics ping check" -- "$cur")
    fi
    return
  fi
  # check PRODUCT_ID LICENSE_KEY: nothing to offer but --help.
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "--help" -- "$cur")
  fi
}
complete -F _ggctl ggctl
