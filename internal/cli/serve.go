package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tocsin/tocsin/internal/server"
	"github.com/tocsin/tocsin/internal/stack"
)

func serveCommand() command {
	var config, data, listen, logFormat, logLevel string
	var envs listFlag
	return command{
		name:    "serve",
		args:    "[--config DIR] [--data DIR] [--listen ADDR] [--env NAME] [--log-format text|json] [--log-level LEVEL]",
		summary: "Run tocsin: load the stack, serve the API and reload on SIGHUP, file changes and POST /api/v1/reload.",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&config, "config", ".", "the stack directory (holding tocsin.yaml)")
			fs.StringVar(&data, "data", "tocsin-data", "the data directory (SQLite state, generated admin token)")
			fs.StringVar(&listen, "listen", "", "listen address (default: the stack's server.listen, else "+server.DefaultListen+")")
			fs.Var(&envs, "env", "serve only this environment (repeatable; default all)")
			fs.StringVar(&logFormat, "log-format", "", "text or json (default: the stack's server.log_format, else text)")
			fs.StringVar(&logLevel, "log-level", "", "debug, info, warn or error (default: the stack's server.log_level, else info)")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 0 {
				return usageError(e, "serve", "unexpected argument %q (use --config DIR)", pos[0])
			}
			if _, err := newLogger(e.Stderr, logFormat, logLevel); err != nil {
				return usageError(e, "serve", "%v", err)
			}
			// Log settings may come from the stack; read them without secrets first. Invalid
			// ones are reported with their position by server.New below.
			st, _ := stack.Load(config, stack.Options{SkipSecrets: true, Envs: []string{}})
			set := st.Project.Server
			logger, err := newLogger(e.Stderr, first(logFormat, set.LogFormat), first(logLevel, set.LogLevel))
			if err != nil {
				logger, _ = newLogger(e.Stderr, logFormat, logLevel)
			}
			srv, err := server.New(server.Options{
				ConfigDir: config, DataDir: data, Listen: listen, Envs: envs,
				AdminToken: e.Getenv("TOCSIN_ADMIN_TOKEN"), Logger: logger, Stdout: e.Stdout,
				LookupEnv: e.LookupEnv, Version: e.Version, BuildTime: e.BuildTime,
			})
			if err != nil {
				var re *server.ReloadError
				if errors.As(err, &re) {
					for _, d := range re.Diagnostics.Errors() {
						fmt.Fprintln(e.Stderr, d)
					}
					fmt.Fprintf(e.Stderr, "tocsin serve: %s is invalid (%d errors); not starting\n", config, len(re.Diagnostics.Errors()))
					return 1
				}
				fmt.Fprintln(e.Stderr, "tocsin serve:", err)
				return 1
			}
			fmt.Fprintf(e.Stdout, "tocsin %s serving %s on http://%s\n", e.Version, config, srv.Addr())
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			go func() {
				for range hup {
					if err := srv.ReloadFrom("signal"); err != nil {
						logger.Error("reload on SIGHUP failed; the previous configuration keeps running", "err", err)
					}
				}
			}()
			if err := srv.Run(ctx); err != nil {
				fmt.Fprintln(e.Stderr, "tocsin serve:", err)
				return 1
			}
			return 0
		},
	}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if level != "" {
		if err := lv.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("invalid log level %q", level)
		}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid log format %q (text or json)", format)
}
