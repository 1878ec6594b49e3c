package cli

import (
	"flag"
	"fmt"

	"github.com/tocsin/tocsin/internal/stack"
)

func renderCommand() command {
	var env string
	return command{
		name:    "render",
		args:    "DIR --env NAME",
		summary: "Print the effective stack of one environment (overlays, variables and defaults applied; secrets masked).",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&env, "env", "", "the environment to render (required)")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 1 || env == "" {
				return usageError(e, "render", "give one stack directory and --env")
			}
			st, diags := stack.Load(pos[0], stack.Options{LookupEnv: e.LookupEnv, SkipSecrets: true, Envs: []string{env}})
			if diags.HasErrors() {
				for _, d := range diags.Errors() {
					fmt.Fprintln(e.Stderr, d)
				}
				return 1
			}
			out, err := stack.Render(st.Env(env))
			if err != nil {
				fmt.Fprintln(e.Stderr, "tocsin render:", err)
				return 1
			}
			e.Stdout.Write(out)
			return 0
		},
	}
}
