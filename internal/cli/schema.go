package cli

import (
	"flag"
	"fmt"

	"github.com/tocsin/tocsin/internal/stack"
)

func schemaCommand() command {
	var overlay bool
	return command{
		name:    "schema",
		args:    "[--overlay]",
		summary: "Print the JSON Schema of stack files (or of environment overlays) for editors.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&overlay, "overlay", false, "the schema of environments/<env>.yaml overlays")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 0 {
				return usageError(e, "schema", "takes no arguments")
			}
			b, err := stack.Schema(overlay)
			if err != nil {
				fmt.Fprintln(e.Stderr, "tocsin schema:", err)
				return 1
			}
			fmt.Fprintf(e.Stdout, "%s\n", b)
			return 0
		},
	}
}
