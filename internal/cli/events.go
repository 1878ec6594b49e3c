package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/event/pattern"
)

func eventsCommand() command {
	var srv serverFlags
	var pat, ev, env, source, detailType, detail, start, end, limit string
	var resources repeatFlag
	return command{
		name:    "events",
		args:    "test-pattern --pattern P --event E | send --source S --detail-type T [--detail JSON] [--resource ARN]… | list [--pattern P] [--start T] [--end T] [--limit N] | dead-letters | replay ID   (P, E and JSON may be @file)",
		summary: "Test event patterns, and send, list and replay events on a server.",
		flags: func(fs *flag.FlagSet) {
			srv.declare(fs)
			fs.StringVar(&pat, "pattern", "", "an event pattern: JSON text or @file")
			fs.StringVar(&ev, "event", "", "test-pattern: an event: JSON text or @file")
			fs.StringVar(&env, "env", "", "environment (default: the token's only one)")
			fs.StringVar(&source, "source", "", "send: the event's source")
			fs.StringVar(&detailType, "detail-type", "", "send: the event's detail-type")
			fs.StringVar(&detail, "detail", "{}", "send: the detail, a JSON object or @file")
			fs.Var(&resources, "resource", "send: a resource ARN (repeatable)")
			fs.StringVar(&start, "start", "", "list: RFC 3339 time or Unix seconds")
			fs.StringVar(&end, "end", "", "list: RFC 3339 time or Unix seconds")
			fs.StringVar(&limit, "limit", "", "list: at most this many events (default 100)")
		},
		run: func(e Env, pos []string) int {
			if len(pos) == 0 {
				return usageError(e, "events", "say what to do: test-pattern, send, list, dead-letters or replay")
			}
			switch pos[0] {
			case "test-pattern":
				return testPattern(e, pat, ev)
			case "send":
				body := map[string]any{"source": source, "detail-type": detailType, "resources": []string(resources)}
				d, err := textOrFile(detail)
				if err != nil {
					return usageError(e, "events", "--detail: %v", err)
				}
				body["detail"] = json.RawMessage(d)
				req := map[string]any{"entries": []any{body}}
				if env != "" {
					req["environment"] = env
				}
				raw, err := json.Marshal(req)
				if err != nil {
					return usageError(e, "events", "--detail must be JSON: %v", err)
				}
				var out struct {
					Entries []struct {
						ID           string   `json:"id"`
						Rules        []string `json:"rules"`
						ErrorMessage string   `json:"error_message"`
						Field        string   `json:"field"`
					} `json:"entries"`
				}
				if code := call(e, srv, "events", "POST", "/api/v1/events", raw, &out); code != 0 {
					return code
				}
				en := out.Entries[0]
				if en.ID == "" {
					fmt.Fprintf(e.Stderr, "tocsin events send: %s: %s\n", en.Field, en.ErrorMessage)
					return 1
				}
				fmt.Fprintf(e.Stdout, "event %s stored; matched rules: %s\n", en.ID, strings.Join(en.Rules, ", "))
				return 0
			case "list":
				q := url.Values{}
				for k, v := range map[string]string{"environment": env, "start": start, "end": end, "limit": limit} {
					if v != "" {
						q.Set(k, v)
					}
				}
				if pat != "" {
					p, err := textOrFile(pat)
					if err != nil {
						return usageError(e, "events", "--pattern: %v", err)
					}
					q.Set("pattern", string(p))
				}
				var out struct {
					Events []struct {
						Event json.RawMessage `json:"event"`
						Rules []string        `json:"rules"`
					} `json:"events"`
				}
				if code := call(e, srv, "events", "GET", "/api/v1/events?"+q.Encode(), nil, &out); code != 0 {
					return code
				}
				for _, it := range out.Events { // one event per line (NDJSON)
					var line bytes.Buffer
					json.Compact(&line, it.Event)
					fmt.Fprintln(e.Stdout, line.String())
				}
				return 0
			case "dead-letters", "replay":
				if env == "" {
					return usageError(e, "events", "%s needs --env", pos[0])
				}
				path := "/api/v1/environments/" + url.PathEscape(env) + "/dead-letters"
				if pos[0] == "replay" {
					if len(pos) != 2 {
						return usageError(e, "events", "replay takes a dead letter id")
					}
					var out map[string]any
					if code := call(e, srv, "events", "POST", path+"/"+url.PathEscape(pos[1])+"/replay", nil, &out); code != 0 {
						return code
					}
					fmt.Fprintf(e.Stdout, "dead letter %s is pending again as delivery %v\n", pos[1], out["delivery_id"])
					return 0
				}
				var out struct {
					DeadLetters []map[string]any `json:"dead_letters"`
				}
				if code := call(e, srv, "events", "GET", path, nil, &out); code != 0 {
					return code
				}
				for _, dl := range out.DeadLetters {
					fmt.Fprintf(e.Stdout, "%v\t%v/%v\tevent %v\t%v attempts\t%v: %v\n", dl["id"], dl["rule"], dl["target"], dl["event_id"], dl["attempts"], dl["error_code"], dl["error_message"])
				}
				return 0
			}
			return usageError(e, "events", "unknown action %q", pos[0])
		},
	}
}

// testPattern prints whether the event matches the pattern; 2 for an invalid one.
func testPattern(e Env, pat, ev string) int {
	if pat == "" || ev == "" {
		return usageError(e, "events", "test-pattern needs --pattern and --event")
	}
	p, err := textOrFile(pat)
	if err != nil {
		fmt.Fprintln(e.Stderr, "tocsin events test-pattern: --pattern:", err)
		return 2
	}
	v, err := textOrFile(ev)
	if err != nil {
		fmt.Fprintln(e.Stderr, "tocsin events test-pattern: --event:", err)
		return 2
	}
	compiled, err := pattern.Compile(p)
	if err != nil {
		fmt.Fprintln(e.Stderr, "tocsin events test-pattern:", err)
		return 2
	}
	ok, err := compiled.Match(v)
	if err != nil {
		fmt.Fprintln(e.Stderr, "tocsin events test-pattern:", err)
		return 2
	}
	fmt.Fprintln(e.Stdout, ok)
	return 0
}

// textOrFile returns s, or the content of the file when s is @path.
func textOrFile(s string) ([]byte, error) {
	if path, ok := strings.CutPrefix(s, "@"); ok {
		return os.ReadFile(path)
	}
	return []byte(s), nil
}

// call makes one API call for a command, printing the error; it returns the exit code.
func call(e Env, srv serverFlags, command, method, path string, body []byte, out any) int {
	c, err := srv.client(e)
	if err != nil {
		fmt.Fprintf(e.Stderr, "tocsin %s: %v\n", command, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Do(ctx, method, path, body, nil, out); err != nil {
		fmt.Fprintf(e.Stderr, "tocsin %s: %v\n", command, err)
		return 1
	}
	return 0
}
