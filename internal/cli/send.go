package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/client"
)

// serverFlags are the flags of every command that talks to a server.
type serverFlags struct{ url, token string }

func (f *serverFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", "", "the server (default $TOCSIN_URL, else http://127.0.0.1:8080)")
	fs.StringVar(&f.token, "token", "", "API token (default $TOCSIN_TOKEN)")
}

func (f *serverFlags) client(e Env) (*client.Client, error) {
	u := first(f.url, first(e.Getenv("TOCSIN_URL"), "http://127.0.0.1:8080"))
	tok := first(f.token, e.Getenv("TOCSIN_TOKEN"))
	if tok == "" {
		return nil, fmt.Errorf("a token is needed: --token or TOCSIN_TOKEN")
	}
	return client.New(u, tok)
}

func sendCommand() command {
	var srv serverFlags
	var env, namespace, name, unit, values, counts, stats, timestamp string
	var value float64
	var dims repeatFlag
	var resolution int
	var hasValue bool
	return command{
		name:    "send",
		args:    "metric --namespace NS --name NAME (--value V | --values V,… [--counts C,…] | --statistic-values count=N,sum=S,min=A,max=B) [--dimension K=V]… [--unit U] [--env ENV]",
		summary: "Publish one datum (like aws cloudwatch put-metric-data).",
		flags: func(fs *flag.FlagSet) {
			srv.declare(fs)
			fs.StringVar(&env, "env", "", "environment (default: the token's only one)")
			fs.StringVar(&namespace, "namespace", "", "metric namespace (required)")
			fs.StringVar(&name, "name", "", "metric name (required)")
			fs.Var(&dims, "dimension", "a dimension Name=Value (repeatable)")
			fs.StringVar(&unit, "unit", "", "unit, e.g. Count, Milliseconds, Percent")
			fs.Func("value", "one value", func(s string) error {
				v, err := strconv.ParseFloat(s, 64)
				value, hasValue = v, true
				return err
			})
			fs.StringVar(&values, "values", "", "comma-separated values")
			fs.StringVar(&counts, "counts", "", "comma-separated counts, one per value")
			fs.StringVar(&stats, "statistic-values", "", "a statistic set: count=N,sum=S,min=A,max=B")
			fs.StringVar(&timestamp, "timestamp", "", "RFC 3339 time (default now)")
			fs.IntVar(&resolution, "storage-resolution", 60, "1 (high resolution) or 60")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 1 || pos[0] != "metric" {
				return usageError(e, "send", "say what to send: tocsin send metric …")
			}
			datum := map[string]any{"name": name, "storage_resolution": resolution}
			if unit != "" {
				datum["unit"] = unit
			}
			if timestamp != "" {
				datum["timestamp"] = timestamp
			}
			if len(dims) > 0 {
				m := map[string]string{}
				for _, d := range dims {
					k, v, ok := strings.Cut(d, "=")
					if !ok {
						return usageError(e, "send", "--dimension takes Name=Value, got %q", d)
					}
					m[k] = v
				}
				datum["dimensions"] = m
			}
			var err error
			switch {
			case hasValue:
				datum["value"] = value
			case values != "":
				if datum["values"], err = floatList(values); err == nil && counts != "" {
					datum["counts"], err = floatList(counts)
				}
			case stats != "":
				datum["statistic_values"], err = statSet(stats)
			default:
				return usageError(e, "send", "give --value, --values or --statistic-values")
			}
			if err != nil {
				return usageError(e, "send", "%v", err)
			}
			body := map[string]any{"namespace": namespace, "metric_data": []any{datum}}
			if env != "" {
				body["environment"] = env
			}
			c, err := srv.client(e)
			if err != nil {
				return usageError(e, "send", "%v", err)
			}
			raw, _ := json.Marshal(body)
			var out struct {
				Accepted int `json:"accepted"`
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := c.Do(ctx, "POST", "/api/v1/metrics", raw, nil, &out); err != nil {
				fmt.Fprintln(e.Stderr, "tocsin send:", err)
				return 1
			}
			fmt.Fprintf(e.Stdout, "accepted %d datum(s)\n", out.Accepted)
			return 0
		},
	}
}

func floatList(s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("not a number: %q", p)
		}
		out = append(out, v)
	}
	return out, nil
}

func statSet(s string) (map[string]float64, error) {
	names := map[string]string{"count": "sample_count", "sum": "sum", "min": "minimum", "max": "maximum"}
	out := map[string]float64{}
	for _, p := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		field, known := names[k]
		f, err := strconv.ParseFloat(v, 64)
		if !ok || !known || err != nil {
			return nil, fmt.Errorf("--statistic-values takes count=N,sum=S,min=A,max=B, got %q", p)
		}
		out[field] = f
	}
	if len(out) != 4 {
		return nil, fmt.Errorf("--statistic-values needs count, sum, min and max")
	}
	return out, nil
}
