// Command tocsin is the monitoring and alerting server and its tools. Everything but
// picking the subcommand lives in internal/cli.
package main

import (
	"os"
	"runtime/debug"
	_ "time/tzdata" // maintenance windows name time zones; fresh containers may lack tzdata

	"github.com/tocsin/tocsin/internal/cli"
)

// version and buildTime are set by the release build with -ldflags "-X main.version=…".
var (
	version   = "dev"
	buildTime = ""
)

func main() {
	v, bt := version, buildTime
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && v == "dev" && len(s.Value) >= 12:
				v = "dev-" + s.Value[:12]
			case s.Key == "vcs.time" && bt == "":
				bt = s.Value
			}
		}
	}
	if bt == "" {
		bt = "unknown"
	}
	os.Exit(cli.Main(cli.DefaultEnv(v, bt), os.Args[1:]))
}
