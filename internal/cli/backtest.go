package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/backtest"
	"github.com/tocsin/tocsin/internal/stack"
)

func backtestCommand() command {
	var srv serverFlags
	var env, alarm, from, to, data, svg string
	var sets repeatFlag
	return command{
		name:    "backtest",
		args:    "DIR --env ENV --alarm NAME --from T [--to T] (--data FILE | --server URL) [--set field=value]… [--svg FILE]",
		summary: "Replay history through an alarm (as defined, and with --set changes) and print its transitions and a summary.",
		flags: func(fs *flag.FlagSet) {
			srv.declare(fs)
			fs.StringVar(&srv.url, "server", "", "replay the history of this server (same as --url)")
			fs.StringVar(&env, "env", "", "environment (required)")
			fs.StringVar(&alarm, "alarm", "", "alarm name (required)")
			fs.StringVar(&from, "from", "", "RFC 3339 start, or a duration ago such as 7d (required)")
			fs.StringVar(&to, "to", "", "RFC 3339 end (default now)")
			fs.StringVar(&data, "data", "", "replay the datums of this file (a PutMetricData body; .ndjson for the line form)")
			fs.Var(&sets, "set", "change a field of the alarm: statistic=Sum, threshold=50 (repeatable)")
			fs.StringVar(&svg, "svg", "", "draw the statistic, threshold and states to this SVG file")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 1 || env == "" || alarm == "" || from == "" {
				return usageError(e, "backtest", "give the stack directory, --env, --alarm and --from")
			}
			if (data == "") == (srv.url == "" && e.Getenv("TOCSIN_URL") == "") {
				return usageError(e, "backtest", "replay either a --data file or a --server's history")
			}
			now := time.Now().UTC()
			start, err1 := timeArg(from, now)
			end, err2 := timeArg(first(to, now.Format(time.RFC3339)), now)
			if err1 != nil || err2 != nil || !end.After(start) {
				return usageError(e, "backtest", "--from and --to must be RFC 3339 times (or --from a duration ago) with --from before --to")
			}
			st, diags := stack.Load(pos[0], stack.Options{SkipSecrets: true, Envs: []string{env}})
			if diags.HasErrors() {
				for _, d := range diags.Errors() {
					fmt.Fprintln(e.Stderr, d)
				}
				return 1
			}
			en := st.Env(env).Get("alarms", alarm)
			if en == nil {
				fmt.Fprintf(e.Stderr, "tocsin backtest: no alarm %q in %s\n", alarm, env)
				return 1
			}
			asDefined := en.Resource.(*stack.Alarm)
			variants := []*stack.Alarm{asDefined}
			if len(sets) > 0 {
				changed, err := backtest.Modify(st.Env(env), asDefined, sets)
				if err != nil {
					fmt.Fprintln(e.Stderr, "tocsin backtest:", err)
					return 1
				}
				variants = append(variants, changed)
			}
			results := make([]*backtest.Result, len(variants))
			for i, a := range variants {
				if results[i], err1 = replay(e, &srv, data, env, a, start, end); err1 != nil {
					fmt.Fprintln(e.Stderr, "tocsin backtest:", err1)
					return 1
				}
			}
			printBacktest(e.Stdout, env, results, sets, start, end)
			if svg != "" {
				last := variants[len(variants)-1]
				f, err := os.Create(svg)
				if err == nil {
					err = backtest.WriteSVG(f, results[len(results)-1], *last.Threshold, fmt.Sprintf("%s (%s) in %s", last.Name, last.Statistic, env))
					if cerr := f.Close(); err == nil {
						err = cerr
					}
				}
				if err != nil {
					fmt.Fprintln(e.Stderr, "tocsin backtest: --svg:", err)
					return 1
				}
			}
			return 0
		},
	}
}

// replay runs one variant on a data file locally, or on a server's stored history.
func replay(e Env, srv *serverFlags, data, env string, a *stack.Alarm, from, to time.Time) (*backtest.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if data != "" {
		dir, err := os.MkdirTemp("", "tocsin-backtest-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		ms, done, err := backtest.LoadData(ctx, dir, env, data, to)
		if err != nil {
			return nil, err
		}
		defer done()
		return backtest.Run(ctx, ms, env, a, from, to)
	}
	c, err := srv.client(e)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]any{"alarm": a, "from": from, "to": to})
	var res backtest.Result
	if err := c.Do(ctx, "POST", "/api/v1/environments/"+env+"/backtest", body, nil, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

func printBacktest(w io.Writer, env string, results []*backtest.Result, sets []string, from, to time.Time) {
	span := stack.Duration(to.Sub(from).Truncate(time.Minute))
	fmt.Fprintf(w, "Backtest of alarms[%s] in %s, %s → %s (%d evaluations)\n", results[0].Alarm, env, from.Format(time.RFC3339), to.Format(time.RFC3339), results[0].Evaluations)
	for i, r := range results {
		label := "as defined"
		if i > 0 {
			label = "with " + strings.Join(sets, ", ")
		}
		fmt.Fprintf(w, "\n%s:\n", label)
		alarms := 0
		for _, t := range r.Transitions {
			series := ""
			if t.Series != "" {
				series = " [" + t.Series + "]"
			}
			fmt.Fprintf(w, "  %s%s %s -> %s  %s\n", t.At.UTC().Format("2006-01-02 15:04:05"), series, t.From, t.To, t.Reason)
			if t.To == "ALARM" {
				alarms++
			}
		}
		fmt.Fprintf(w, "  %d ALARM transition(s) in %s\n", alarms, span)
	}
	if len(results) == 2 {
		a, aok := results[0].FirstAlarm()
		b, bok := results[1].FirstAlarm()
		switch {
		case bok && !aok:
			fmt.Fprintf(w, "\nwith %s: ALARM at %s; as defined, the alarm never reached ALARM in %s\n", strings.Join(sets, ", "), b.At.UTC().Format(time.RFC3339), span)
		case bok && aok && b.At.Before(a.At):
			fmt.Fprintf(w, "\nwith %s: ALARM at %s, %s earlier than as defined\n", strings.Join(sets, ", "), b.At.UTC().Format(time.RFC3339), stack.Duration(a.At.Sub(b.At)))
		case !bok:
			fmt.Fprintf(w, "\nwith %s: no ALARM in %s\n", strings.Join(sets, ", "), span)
		default:
			fmt.Fprintf(w, "\nwith %s: first ALARM at %s (as defined: %s)\n", strings.Join(sets, ", "), b.At.UTC().Format(time.RFC3339), a.At.UTC().Format(time.RFC3339))
		}
	}
}

// timeArg reads an RFC 3339 time or a duration ago ("7d", "3h").
func timeArg(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := stack.ParseDuration(s)
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(-d.Std()), nil
}
