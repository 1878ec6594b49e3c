package cli

import (
	"fmt"
	"io"
	"strings"
)

func completionCommand() command {
	return command{
		name:    "completion",
		args:    "bash|zsh|fish",
		summary: "Print a shell completion script, e.g. source <(tocsin completion bash).",
		run: func(e Env, pos []string) int {
			if len(pos) != 1 {
				return usageError(e, "completion", "name a shell: bash, zsh or fish")
			}
			switch pos[0] {
			case "bash":
				bashCompletion(e.Stdout)
			case "zsh":
				fmt.Fprintln(e.Stdout, "#compdef tocsin\nautoload -U bashcompinit && bashcompinit")
				bashCompletion(e.Stdout)
			case "fish":
				fishCompletion(e.Stdout)
			default:
				return usageError(e, "completion", "unknown shell %q", pos[0])
			}
			return 0
		},
	}
}

// The scripts are generated from the command table, so a new command or flag completes
// without touching this file.

func bashCompletion(w io.Writer) {
	var names []string
	fmt.Fprintln(w, "_tocsin() {\n  local cur=${COMP_WORDS[COMP_CWORD]}\n  if [ \"$COMP_CWORD\" -eq 1 ]; then")
	for _, c := range commands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, "    COMPREPLY=($(compgen -W %q -- \"$cur\")); return\n  fi\n", strings.Join(append(names, "help"), " "))
	fmt.Fprintln(w, "  case ${COMP_WORDS[1]} in")
	for _, c := range commands() {
		words := c.flagNames()
		if c.name == "completion" {
			words = []string{"bash", "zsh", "fish"}
		}
		fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\"))", c.name, strings.Join(words, " "))
		if c.name != "completion" && c.name != "version" && c.name != "schema" {
			fmt.Fprint(w, "; [[ $cur != -* ]] && COMPREPLY+=($(compgen -d -- \"$cur\"))")
		}
		fmt.Fprintln(w, " ;;")
	}
	fmt.Fprintln(w, "  esac\n}\ncomplete -F _tocsin tocsin")
}

func fishCompletion(w io.Writer) {
	for _, c := range append(commands(), command{name: "help", summary: "Show help for a command"}) {
		fmt.Fprintf(w, "complete -c tocsin -n __fish_use_subcommand -a %s -d %q\n", c.name, firstSentence(c.summary))
		for _, f := range c.flagNames() {
			fmt.Fprintf(w, "complete -c tocsin -n '__fish_seen_subcommand_from %s' -l %s\n", c.name, strings.TrimPrefix(f, "--"))
		}
	}
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i]
	}
	return strings.TrimSuffix(s, ".")
}
