// Bash completion script generated from the table of commands and options (build/package.mjs ships it).
import { COMMANDS, META_FLAGS, OPTION_SPECS } from './spec.ts';
import type { OptionSpec } from './spec.ts';

/** Where the packages install it (bash-completion loads it on first use of `eni-init`). */
export const BASH_COMPLETION_PATH = '/usr/share/bash-completion/completions/eni-init';

/** A word list for `compgen -W` under IFS=newline (the script splits on newlines only: paths may hold spaces). */
function words(list: readonly string[]): string {
  return `$'${list.join('\\n')}'`;
}

/** The shell words that complete a value of `spec`, reading the value prefix from $value. */
function valueCompletion(spec: OptionSpec): string {
  if (spec.choices) return `compgen -W ${words(spec.choices)} -- "$value"`;
  switch (spec.valueHint) {
    case 'file':
      return 'compgen -f -- "$value"';
    case 'directory':
      return 'compgen -d -- "$value"';
    case 'interface':
      return "compgen -W \"$(command ls /sys/class/net 2>/dev/null)\" -- \"$value\"";
    default:
      return ':';
  }
}

/** The bash completion script: commands, every long and short flag, and the allowed values of each option. */
export function bashCompletion(): string {
  const valued = OPTION_SPECS.filter((spec) => spec.kind !== 'boolean');
  const flags = [...OPTION_SPECS.map((spec) => `--${spec.flag}`), ...META_FLAGS.flatMap((spec) => [`--${spec.flag}`, `-${spec.short}`])];
  const cases = valued.map((spec) => `        --${spec.flag}) ${valueCompletion(spec)} ;;`);
  return `# bash completion for eni-init: generated from src/cli/spec.ts by build/package.mjs; do not edit.
# Completes the commands, the options and the allowed values of each option (--persist=<TAB>, --log-level <TAB>).

# Prints the completions of the value "$2" of option "$1", one per line.
_eni_init_values() {
    local value="$2"
    case "$1" in
${cases.join('\n')}
        *) : ;;
    esac
}

_eni_init() {
    local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" before=""
    ((COMP_CWORD >= 1)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
    ((COMP_CWORD >= 2)) && before="\${COMP_WORDS[COMP_CWORD-2]}"
    local IFS=$'\\n'
    COMPREPLY=()
    # "=" is a word break by default: --persist=a arrives as "--persist" "=" "a".
    if [[ $cur == "=" ]]; then
        COMPREPLY=($(_eni_init_values "$prev" ""))
        return 0
    fi
    if [[ $prev == "=" && $before == --* ]]; then
        COMPREPLY=($(_eni_init_values "$before" "$cur"))
        return 0
    fi
    # Without "=" in COMP_WORDBREAKS the word is "--persist=a": complete to whole words.
    if [[ $cur == --*=* ]]; then
        local flag="\${cur%%=*}" item
        for item in $(_eni_init_values "$flag" "\${cur#*=}"); do COMPREPLY+=("$flag=$item"); done
        return 0
    fi
    case "$prev" in
        ${valued.map((spec) => `--${spec.flag}`).join('|')})
            COMPREPLY=($(_eni_init_values "$prev" "$cur"))
            return 0
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W ${words(flags)} -- "$cur"))
        return 0
    fi
    local word
    for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        case "$word" in ${COMMANDS.join('|')}) return 0 ;; esac
    done
    COMPREPLY=($(compgen -W ${words(COMMANDS)} -- "$cur"))
    return 0
}

complete -F _eni_init eni-init
`;
}
