package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/tocsin/tocsin/internal/client"
	"github.com/tocsin/tocsin/internal/stack"
)

func parityCommand() command {
	var live, token, format string
	var envs listFlag
	return command{
		name:    "parity",
		args:    "DIR [--live URL [--env NAME]] [--format text|json]",
		summary: "Show every resource × environment (same, overridden, excluded, undeclared, drift). Exit 1 on anything undeclared or drifted.",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&live, "live", "", "also compare with the server at URL (token from --token or TOCSIN_TOKEN)")
			fs.StringVar(&token, "token", "", "API token for --live (default $TOCSIN_TOKEN)")
			fs.StringVar(&format, "format", "text", "text or json")
			fs.Var(&envs, "env", "with --live, compare only this environment (repeatable; for a token scoped to it)")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 1 {
				return usageError(e, "parity", "give one stack directory")
			}
			if format != "text" && format != "json" {
				return usageError(e, "parity", "--format must be text or json, got %q", format)
			}
			var only []string // nil: every environment
			if live != "" {
				only = envs
			}
			st, diags := stack.Load(pos[0], stack.Options{SkipSecrets: true, Envs: only})
			if diags.HasErrors() {
				for _, d := range diags.Errors() {
					fmt.Fprintln(e.Stderr, d)
				}
				fmt.Fprintf(e.Stderr, "tocsin parity: %s is invalid; run tocsin validate\n", pos[0])
				return 1
			}
			rep := stack.Parity(st)
			if live != "" {
				tok := first(token, e.Getenv("TOCSIN_TOKEN"))
				if err := compareLive(rep, st, live, tok); err != nil {
					fmt.Fprintln(e.Stderr, "tocsin parity:", err)
					return 2
				}
			}
			if format == "json" {
				enc := json.NewEncoder(e.Stdout)
				enc.SetIndent("", "  ")
				enc.Encode(rep)
			} else {
				rep.WriteText(e.Stdout)
			}
			if rep.Failed() {
				return 1
			}
			return 0
		},
	}
}

// compareLive fetches each environment's effective resources from a running server.
func compareLive(rep *stack.Report, st *stack.Stack, base, token string) error {
	if token == "" {
		return fmt.Errorf("--live needs a token: --token or TOCSIN_TOKEN")
	}
	c, err := client.New(base, token)
	if err != nil {
		return fmt.Errorf("--live: %w", err)
	}
	rep.Live = base
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, env := range st.Envs {
		var body struct {
			Resources []stack.LiveResource `json:"resources"`
		}
		err := c.Get(ctx, "/api/v1/environments/"+url.PathEscape(env.Name)+"/resources", nil, &body)
		var ae *client.Error
		switch {
		case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
			// The server does not serve this environment: everything in it is missing there.
			rep.CompareLive(st, env.Name, nil)
			continue
		case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized:
			return fmt.Errorf("%s answered 401: the server does not accept this token", base)
		case errors.As(err, &ae) && ae.Status == http.StatusForbidden:
			return fmt.Errorf("%s answered 403 for %s: the token may not read this environment (use --env to compare only the ones it may read)", base, env.Name)
		case err != nil:
			return err
		}
		rep.CompareLive(st, env.Name, body.Resources)
	}
	return nil
}
