package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"
)

func incidentsCommand() command {
	var srv serverFlags
	var env, state string
	return command{
		name:    "incidents",
		args:    "list [--state open,acknowledged,resolved] | show ID | ack ID | resolve ID   --env ENV",
		summary: "List incidents, show one's timeline, and acknowledge or resolve them.",
		flags: func(fs *flag.FlagSet) {
			srv.declare(fs)
			fs.StringVar(&env, "env", "", "environment (required)")
			fs.StringVar(&state, "state", "open,acknowledged", "list: states to show (comma-separated)")
		},
		run: func(e Env, pos []string) int {
			if len(pos) == 0 {
				return usageError(e, "incidents", "say what to do: list, show, ack or resolve")
			}
			if env == "" {
				return usageError(e, "incidents", "--env is required")
			}
			base := "/api/v1/environments/" + url.PathEscape(env) + "/incidents"
			switch pos[0] {
			case "list":
				var out struct {
					Incidents []incidentView `json:"incidents"`
				}
				if code := call(e, srv, "incidents", "GET", base+"?"+url.Values{"state": {state}}.Encode(), nil, &out); code != 0 {
					return code
				}
				tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTATE\tOPENED\tPOLICY\tTITLE")
				for _, inc := range out.Incidents {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", inc.ID, inc.State, inc.OpenedAt, inc.Policy, inc.Title)
				}
				tw.Flush()
				return 0
			case "show", "ack", "resolve":
				if len(pos) != 2 {
					return usageError(e, "incidents", "%s takes an incident id", pos[0])
				}
				path, method := base+"/"+url.PathEscape(pos[1]), "GET"
				if pos[0] != "show" {
					path, method = path+"/"+pos[0], "POST"
				}
				var inc incidentView
				if code := call(e, srv, "incidents", method, path, nil, &inc); code != 0 {
					return code
				}
				fmt.Fprintf(e.Stdout, "incident %d (%s): %s\n", inc.ID, inc.State, inc.Title)
				if inc.AckedBy != "" {
					fmt.Fprintf(e.Stdout, "acknowledged by %s\n", inc.AckedBy)
				}
				for _, t := range inc.Timeline {
					fmt.Fprintf(e.Stdout, "  %s  %-12s %s\n", t.At, t.Kind, strings.ReplaceAll(t.Text, "\n", "\n                                        "))
				}
				return 0
			}
			return usageError(e, "incidents", "unknown action %q", pos[0])
		},
	}
}

type incidentView struct {
	ID       int64  `json:"id"`
	State    string `json:"state"`
	Title    string `json:"title"`
	Policy   string `json:"policy"`
	OpenedAt string `json:"opened_at"`
	AckedBy  string `json:"acknowledged_by"`
	Timeline []struct {
		At   string `json:"at"`
		Kind string `json:"kind"`
		Text string `json:"text"`
	} `json:"timeline"`
}

func notifyCommand() command {
	var srv serverFlags
	var env string
	return command{
		name:    "notify",
		args:    "test TOPIC --env ENV",
		summary: "Send a test message through every subscription of a topic and report each result.",
		flags: func(fs *flag.FlagSet) {
			srv.declare(fs)
			fs.StringVar(&env, "env", "", "environment (required)")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 2 || pos[0] != "test" {
				return usageError(e, "notify", "usage: tocsin notify test TOPIC --env ENV")
			}
			if env == "" {
				return usageError(e, "notify", "--env is required")
			}
			var out struct {
				OK      bool `json:"ok"`
				Results []struct {
					Subscription string `json:"subscription"`
					Channel      string `json:"channel"`
					OK           bool   `json:"ok"`
					ErrorCode    string `json:"error_code"`
					Error        string `json:"error"`
					DurationMS   int64  `json:"duration_ms"`
				} `json:"results"`
			}
			path := "/api/v1/environments/" + url.PathEscape(env) + "/topics/" + url.PathEscape(pos[1]) + "/test"
			if code := call(e, srv, "notify", "POST", path, nil, &out); code != 0 {
				return code
			}
			for _, r := range out.Results {
				result := "ok"
				if !r.OK {
					result = "FAILED " + r.ErrorCode + ": " + r.Error
				}
				fmt.Fprintf(e.Stdout, "%s (%s)\t%s\t%d ms\n", r.Subscription, r.Channel, result, r.DurationMS)
			}
			if len(out.Results) == 0 {
				fmt.Fprintln(e.Stdout, "the topic has no subscriptions")
			}
			if !out.OK {
				return 1
			}
			return 0
		},
	}
}

func silenceCommand() command {
	var srv serverFlags
	var env, alarm, pat, duration, end, start, comment string
	var dims repeatFlag
	var all bool
	return command{
		name:    "silence",
		args:    "add --alarm GLOB [--dimension Name=GLOB]… [--pattern P] (--duration D | --end T) --comment TEXT | list [--all] | expire ID   --env ENV",
		summary: "Mute notifications for a while: add, list and expire silences.",
		flags: func(fs *flag.FlagSet) {
			srv.declare(fs)
			fs.StringVar(&env, "env", "", "environment (required)")
			fs.StringVar(&alarm, "alarm", "", "add: alarm name or glob")
			fs.Var(&dims, "dimension", "add: Name=GLOB (repeatable)")
			fs.StringVar(&pat, "pattern", "", "add: an event pattern the event must match: JSON text or @file")
			fs.StringVar(&duration, "duration", "", "add: how long, e.g. 2h")
			fs.StringVar(&start, "start", "", "add: RFC 3339 start (default now)")
			fs.StringVar(&end, "end", "", "add: RFC 3339 end")
			fs.StringVar(&comment, "comment", "", "add: why (required)")
			fs.BoolVar(&all, "all", false, "list: include expired silences")
		},
		run: func(e Env, pos []string) int {
			if len(pos) == 0 {
				return usageError(e, "silence", "say what to do: add, list or expire")
			}
			if env == "" {
				return usageError(e, "silence", "--env is required")
			}
			base := "/api/v1/environments/" + url.PathEscape(env) + "/silences"
			switch pos[0] {
			case "add":
				matchers := map[string]any{}
				if alarm != "" {
					matchers["alarm"] = alarm
				}
				if len(dims) > 0 {
					m := map[string]string{}
					for _, d := range dims {
						k, v, ok := strings.Cut(d, "=")
						if !ok || k == "" {
							return usageError(e, "silence", "--dimension must be Name=GLOB, got %q", d)
						}
						m[k] = v
					}
					matchers["dimensions"] = m
				}
				if pat != "" {
					p, err := textOrFile(pat)
					if err != nil {
						return usageError(e, "silence", "--pattern: %v", err)
					}
					matchers["event_pattern"] = json.RawMessage(p)
				}
				body := map[string]any{"matchers": matchers, "comment": comment}
				for k, v := range map[string]string{"duration": duration, "ends_at": end, "starts_at": start} {
					if v != "" {
						body[k] = v
					}
				}
				raw, err := json.Marshal(body)
				if err != nil {
					return usageError(e, "silence", "%v", err)
				}
				var out silenceView
				if code := call(e, srv, "silence", "POST", base, raw, &out); code != 0 {
					return code
				}
				fmt.Fprintf(e.Stdout, "silence %d %s until %s\n", out.ID, out.State, out.EndsAt)
				return 0
			case "list":
				var out struct {
					Silences []silenceView `json:"silences"`
				}
				q := ""
				if all {
					q = "?expired=true"
				}
				if code := call(e, srv, "silence", "GET", base+q, nil, &out); code != 0 {
					return code
				}
				tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTATE\tSTARTS\tENDS\tBY\tMATCHERS\tCOMMENT")
				for _, s := range out.Silences {
					var matchers bytes.Buffer
					json.Compact(&matchers, s.Matchers)
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.State, s.StartsAt, s.EndsAt, s.CreatedBy, matchers.String(), s.Comment)
				}
				tw.Flush()
				return 0
			case "expire":
				if len(pos) != 2 {
					return usageError(e, "silence", "expire takes a silence id")
				}
				var out silenceView
				if code := call(e, srv, "silence", "DELETE", base+"/"+url.PathEscape(pos[1]), nil, &out); code != 0 {
					return code
				}
				fmt.Fprintf(e.Stdout, "silence %d expired at %s\n", out.ID, out.EndsAt)
				return 0
			}
			return usageError(e, "silence", "unknown action %q", pos[0])
		},
	}
}

type silenceView struct {
	ID        int64           `json:"id"`
	State     string          `json:"state"`
	StartsAt  string          `json:"starts_at"`
	EndsAt    string          `json:"ends_at"`
	CreatedBy string          `json:"created_by"`
	Comment   string          `json:"comment"`
	Matchers  json.RawMessage `json:"matchers"`
}
