package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func queryCommand() command {
	var srv serverFlags
	var env, namespace, name, unit, statistics, period, start, end, format string
	var dims repeatFlag
	return command{
		name:    "query",
		args:    "metric --namespace NS --name NAME [--dimension K=V]… [--statistics Sum,p99] [--period 1m] [--start T] [--end T] [--env ENV] [--format text|json]",
		summary: "Print a metric's statistics per period (like aws cloudwatch get-metric-statistics).",
		flags: func(fs *flag.FlagSet) {
			srv.declare(fs)
			fs.StringVar(&env, "env", "", "environment (default: the token's only one)")
			fs.StringVar(&namespace, "namespace", "", "metric namespace (required)")
			fs.StringVar(&name, "name", "", "metric name (required)")
			fs.Var(&dims, "dimension", "Name=Value; the value may be * or a glob (repeatable)")
			fs.StringVar(&unit, "unit", "", "only data in this unit")
			fs.StringVar(&statistics, "statistics", "SampleCount,Average,Minimum,Maximum", "comma-separated statistics")
			fs.StringVar(&period, "period", "1m", "period: seconds or a duration")
			fs.StringVar(&start, "start", "", "RFC 3339 start, or a duration ago such as 3h (default 1h)")
			fs.StringVar(&end, "end", "", "RFC 3339 end (default now)")
			fs.StringVar(&format, "format", "text", "text or json")
		},
		run: func(e Env, pos []string) int {
			if len(pos) != 1 || pos[0] != "metric" {
				return usageError(e, "query", "say what to query: tocsin query metric …")
			}
			q := url.Values{"namespace": {namespace}, "name": {name}, "statistics": {statistics}, "period": {period}}
			for k, v := range map[string]string{"environment": env, "unit": unit, "end": end} {
				if v != "" {
					q.Set(k, v)
				}
			}
			if start != "" {
				if d, err := time.ParseDuration(start); err == nil {
					start = time.Now().Add(-d).UTC().Format(time.RFC3339)
				}
				q.Set("start", start)
			}
			q["dimension"] = dims
			c, err := srv.client(e)
			if err != nil {
				return usageError(e, "query", "%v", err)
			}
			var out struct {
				Results []struct {
					Dimensions []struct {
						Name  string `json:"name"`
						Value string `json:"value"`
					} `json:"dimensions"`
					Datapoints []struct {
						Timestamp time.Time          `json:"timestamp"`
						Values    map[string]float64 `json:"values"`
					} `json:"datapoints"`
				} `json:"results"`
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := c.Get(ctx, "/api/v1/metrics/statistics", q, &out); err != nil {
				fmt.Fprintln(e.Stderr, "tocsin query:", err)
				return 1
			}
			if format == "json" {
				enc := json.NewEncoder(e.Stdout)
				enc.SetIndent("", "  ")
				enc.Encode(out)
				return 0
			}
			stats := strings.Split(statistics, ",")
			for _, r := range out.Results {
				var labels []string
				for _, d := range r.Dimensions {
					labels = append(labels, d.Name+"="+d.Value)
				}
				sort.Strings(labels)
				fmt.Fprintf(e.Stdout, "%s %s {%s}\n", namespace, name, strings.Join(labels, ", "))
				tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintf(tw, "TIMESTAMP\t%s\t\n", strings.Join(stats, "\t"))
				for _, dp := range r.Datapoints {
					row := []string{dp.Timestamp.UTC().Format(time.RFC3339)}
					for _, s := range stats {
						v, ok := dp.Values[strings.TrimSpace(s)]
						row = append(row, map[bool]string{true: fmt.Sprintf("%g", v), false: "-"}[ok])
					}
					fmt.Fprintf(tw, "%s\t\n", strings.Join(row, "\t"))
				}
				tw.Flush()
			}
			if len(out.Results) == 0 {
				fmt.Fprintln(e.Stdout, "no matching series")
			}
			return 0
		},
	}
}
