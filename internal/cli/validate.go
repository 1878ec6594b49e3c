package cli

import (
	"flag"
	"fmt"

	"github.com/tocsin/tocsin/internal/stack"
)

func validateCommand() command {
	var envs listFlag
	var skipSecrets, strict bool
	return command{
		name:    "validate",
		args:    "DIR [--env NAME] [--skip-secrets] [--strict]",
		summary: "Check a stack: print every error and lint warning as FILE:LINE:COL: path: message. Exit 0 valid, 1 invalid, 2 usage.",
		flags: func(fs *flag.FlagSet) {
			fs.Var(&envs, "env", "check only this environment (repeatable)")
			fs.BoolVar(&skipSecrets, "skip-secrets", false, "do not read ${env:…} and ${file:…} secrets (for CI without production secrets)")
			fs.BoolVar(&strict, "strict", false, "treat lint warnings as errors")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 1 {
				return usageError(e, "validate", "give one stack directory")
			}
			_, diags := stack.Load(pos[0], stack.Options{LookupEnv: e.LookupEnv, SkipSecrets: skipSecrets, Envs: envs})
			for _, d := range diags {
				fmt.Fprintln(e.Stdout, d)
			}
			errs, warns := len(diags.Errors()), len(diags.Warnings())
			if errs > 0 || (strict && warns > 0) {
				fmt.Fprintf(e.Stdout, "%s: invalid: %d error(s), %d warning(s)\n", pos[0], errs, warns)
				return 1
			}
			fmt.Fprintf(e.Stdout, "%s: valid (%d warning(s))\n", pos[0], warns)
			return 0
		},
	}
}
