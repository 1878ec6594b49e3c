package cli

import (
	"fmt"
	"runtime"
)

func versionCommand() command {
	return command{
		name:    "version",
		args:    "",
		summary: "Print the version, build time and Go version.",
		run: func(e Env, pos []string) int {
			fmt.Fprintf(e.Stdout, "tocsin %s (built %s, %s %s/%s)\n", e.Version, e.BuildTime, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return 0
		},
	}
}
