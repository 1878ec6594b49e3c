// Package cli implements tocsin's subcommands, one file each. cmd/tocsin hands it the
// arguments and standard streams; every command returns its exit code (0 success,
// 1 failure, 2 usage) instead of exiting, so tests run commands in-process.
package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	LookupEnv      func(string) (string, bool)
	Version        string
	BuildTime      string
}

// DefaultEnv is the process's real environment.
func DefaultEnv(version, buildTime string) Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, LookupEnv: os.LookupEnv, Version: version, BuildTime: buildTime}
}

// command is one subcommand. The table in commands() is the single list the dispatcher,
// help and shell completion read.
type command struct {
	name    string
	args    string // usage after the name, e.g. "DIR [--env NAME]"
	summary string
	flags   func(fs *flag.FlagSet)        // declares flags (for completion too); nil for none
	run     func(e Env, pos []string) int // receives the positional arguments; flags are parsed
}

func commands() []command {
	return []command{
		serveCommand(),
		validateCommand(),
		renderCommand(),
		parityCommand(),
		testCommand(),
		backtestCommand(),
		sendCommand(),
		eventsCommand(),
		incidentsCommand(),
		notifyCommand(),
		silenceCommand(),
		queryCommand(),
		benchCommand(),
		schemaCommand(),
		versionCommand(),
		completionCommand(),
	}
}

func find(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return &c
		}
	}
	return nil
}

// Main runs the subcommand named by args[0] and returns the exit code.
func Main(e Env, args []string) int {
	if len(args) == 0 {
		usage(e.Stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			if c := find(args[1]); c != nil {
				c.usage(e.Stdout)
				return 0
			}
			fmt.Fprintf(e.Stderr, "tocsin: unknown command %q\n", args[1])
			return 2
		}
		usage(e.Stdout)
		return 0
	}
	c := find(args[0])
	if c == nil {
		fmt.Fprintf(e.Stderr, "tocsin: unknown command %q; run 'tocsin help'\n", args[0])
		return 2
	}
	pos, err := parseArgs(c.flagSet(e), args[1:])
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		return 2
	}
	return c.run(e, pos)
}

// usageError prints a command's usage to stderr and returns the usage exit code.
func usageError(e Env, name, format string, args ...any) int {
	fmt.Fprintf(e.Stderr, "tocsin %s: %s\n\n", name, fmt.Sprintf(format, args...))
	find(name).usage(e.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "tocsin — monitoring and alerting as code for every environment")
	fmt.Fprintln(w, "\nUsage: tocsin COMMAND [ARGS]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  help        Show help for a command: tocsin help COMMAND")
}

func (c *command) flagSet(e Env) *flag.FlagSet {
	fs := flag.NewFlagSet("tocsin "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() { c.usage(e.Stderr) }
	if c.flags != nil {
		c.flags(fs)
	}
	return fs
}

func (c *command) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: tocsin %s %s\n\n%s\n", c.name, c.args, c.summary)
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	if c.flags != nil {
		c.flags(fs)
		fs.SetOutput(w)
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
}

// parseArgs parses flags anywhere among the arguments (tocsin validate DIR --env x)
// and returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// flagNames lists a command's flags, for completion.
func (c *command) flagNames() []string {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	if c.flags != nil {
		c.flags(fs)
	}
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, "--"+f.Name) })
	sort.Strings(out)
	return out
}

// repeatFlag is a repeatable flag taking each value whole (dimension values may hold commas).
type repeatFlag []string

func (r *repeatFlag) String() string     { return strings.Join(*r, " ") }
func (r *repeatFlag) Set(v string) error { *r = append(*r, v); return nil }

// listFlag is a repeatable flag that also accepts comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
