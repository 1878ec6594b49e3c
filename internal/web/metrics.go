package web

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
)

const (
	catalogScan = 50_000 // series read to list an environment's namespaces and metrics
	seriesScan  = 10_000 // series of one metric read for its dimensions
	maxLines    = 20     // series drawn in one chart; the table lists them all
	maxSuggest  = 200    // values suggested per dimension
	dimParam    = "dim." // query parameter prefix of a dimension: dim.Host=web-1
)

var (
	explorerStats   = []string{"Average", "Sum", "Minimum", "Maximum", "SampleCount", "p50", "p90", "p95", "p99"}
	explorerPeriods = []string{"auto", "10s", "1m", "5m", "15m", "1h", "6h", "1d"}
	autoPeriods     = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}
)

// dimField is one dimension of the chosen metric in the form.
type dimField struct {
	Key, Value string
	ID         string   // of the input; its datalist is ID+"-values"
	Values     []string // values seen, for suggestions
	More       bool     // more values exist than suggested
}

// keySet is a set of dimension names some of the metric's series have (a quick choice).
type keySet struct {
	Label, URL string
	Series     int
}

// seriesRow summarises one series of the result.
type seriesRow struct {
	Label          string
	Present        int
	Min, Max, Last float64 // when Present > 0
	Drawn          bool
}

type metricsData struct {
	Namespaces, Metrics                 []string
	Namespace, Metric                   string
	Dims                                []dimField
	KeySets                             []keySet
	DimsOf                              string // namespace/metric the dimension fields belong to
	Stat, Period, Range                 string
	Stats, Periods, Ranges              []string
	StatError, PeriodError, ResultError string
	Truncated                           bool   // the catalogue was cut at catalogScan
	PeriodUsed                          string // the period queried ("auto" resolved)
	Chart                               template.JS
	Series                              []seriesRow
	Drawn                               int
	Permalink                           string
	Queried                             bool
}

// metricsExplorer is GET /ui/env/{env}/metrics?namespace=&metric=&dim.NAME=VALUE…&stat=
// &period=&range=: choose a namespace, a metric, its dimensions ("*" for every value, ""
// to leave one out), a statistic and a period, and chart the series. Each choice reloads
// the form (app.js submits it on change), and the URL holds the whole selection.
func (u *UI) metricsExplorer(w http.ResponseWriter, r *http.Request, p *page) error {
	if u.opts.ListMetrics == nil || u.opts.Metrics == nil {
		return errNotFound
	}
	q := r.URL.Query()
	d := &metricsData{Namespace: q.Get("namespace"), Metric: q.Get("metric"), Stat: or(q.Get("stat"), "Average"),
		Period: or(q.Get("period"), "auto"), Range: or(q.Get("range"), "3h"), Stats: explorerStats, Periods: explorerPeriods}
	p.Title, p.Section, p.template, p.Data = "Metrics · "+p.Env, "metrics", "metrics", d
	for _, c := range chartRanges {
		d.Ranges = append(d.Ranges, c.Name)
	}
	if !containsString(explorerPeriods, d.Period) { // a shared link's own period stays chosen
		d.Periods = append(append([]string(nil), explorerPeriods...), d.Period)
	}
	rng, ok := rangeOf(d.Range)
	if !ok {
		return badRequest("The range must be one of 1h, 3h, 24h or 7d.")
	}
	all, more := u.opts.ListMetrics(metricstore.MetricFilter{Env: p.Env}, catalogScan)
	d.Truncated = more
	d.Namespaces = distinct(all, func(s *metricstore.SeriesInfo) string { return s.Namespace })
	if d.Namespace == "" && len(d.Namespaces) == 1 {
		d.Namespace = d.Namespaces[0]
	}
	if d.Namespace == "" {
		return nil
	}
	inNS := all
	if more {
		inNS, _ = u.opts.ListMetrics(metricstore.MetricFilter{Env: p.Env, Namespace: d.Namespace}, catalogScan)
	}
	d.Metrics = distinct(inNS, func(s *metricstore.SeriesInfo) string {
		if s.Namespace != d.Namespace {
			return ""
		}
		return s.Name
	})
	if !containsString(d.Metrics, d.Metric) { // another namespace's metric, or none yet
		d.Metric = ""
		if len(d.Metrics) == 1 {
			d.Metric = d.Metrics[0]
		}
	}
	if d.Metric == "" {
		return nil
	}
	series, _ := u.opts.ListMetrics(metricstore.MetricFilter{Env: p.Env, Namespace: d.Namespace, Name: d.Metric}, seriesScan)
	d.DimsOf = d.Namespace + "/" + d.Metric
	d.dimensions(p.Env, q, series)
	return u.exploreQuery(r, p, d, rng)
}

// dimensions fills the dimension fields from the query, or with the most common set of
// names of the metric's series (each "*") when the query has none for this metric.
func (d *metricsData) dimensions(env string, q url.Values, series []metricstore.SeriesInfo) {
	values := map[string]map[string]bool{}
	sets := map[string]int{}
	for _, s := range series {
		names := make([]string, len(s.Dimensions))
		for i, dim := range s.Dimensions {
			names[i] = dim.Name
			if values[dim.Name] == nil {
				values[dim.Name] = map[string]bool{}
			}
			values[dim.Name][dim.Value] = true
		}
		sets[strings.Join(names, "\x00")]++
	}
	var setNames []string
	for s := range sets {
		setNames = append(setNames, s)
	}
	sort.Slice(setNames, func(i, j int) bool {
		a, b := setNames[i], setNames[j]
		return sets[a] > sets[b] || sets[a] == sets[b] && a < b
	})
	chosen := map[string]string{}
	given := q.Get("dims_of") == "" || q.Get("dims_of") == d.DimsOf
	if given {
		given = false
		for k := range q {
			if strings.HasPrefix(k, dimParam) {
				given = true
				chosen[k[len(dimParam):]] = q.Get(k)
			}
		}
	}
	for i, s := range setNames {
		keys := splitSet(s)
		v := d.link(nil)
		for _, k := range keys {
			v.Set(dimParam+k, "*")
			if !given && i == 0 {
				chosen[k] = "*"
			}
		}
		label := strings.Join(keys, ", ")
		if label == "" {
			label = "no dimensions"
		}
		d.KeySets = append(d.KeySets, keySet{Label: label, URL: envPath(env, "metrics") + "?" + v.Encode(), Series: sets[s]})
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		f := dimField{Key: k, Value: chosen[k], ID: "m-dim-" + strconv.Itoa(i)}
		for v := range values[k] {
			f.Values = append(f.Values, v)
		}
		sort.Strings(f.Values)
		if len(f.Values) > maxSuggest {
			f.Values, f.More = f.Values[:maxSuggest], true
		}
		d.Dims = append(d.Dims, f)
	}
}

func splitSet(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// link is the selection as query parameters, with dims (name → value) when not nil.
func (d *metricsData) link(dims []metric.Dim) url.Values {
	v := url.Values{"namespace": {d.Namespace}, "metric": {d.Metric}, "stat": {d.Stat}, "period": {d.Period}, "range": {d.Range}}
	for _, dim := range dims {
		v.Set(dimParam+dim.Name, dim.Value)
	}
	return v
}

// exploreQuery checks the statistic and period, queries the metric store and builds the
// chart and the series table.
func (u *UI) exploreQuery(r *http.Request, p *page, d *metricsData, rng time.Duration) error {
	var dims []metric.Dim
	for _, f := range d.Dims {
		if v := strings.TrimSpace(f.Value); v != "" {
			dims = append(dims, metric.Dim{Name: f.Key, Value: v})
		}
	}
	metric.SortDims(dims)
	d.Permalink = envPath(p.Env, "metrics") + "?" + d.link(dims).Encode()
	st, err := metric.ParseStatistic(strings.TrimSpace(d.Stat))
	if err != nil {
		d.StatError = err.Error()
	}
	period, err := explorerPeriod(d.Period, rng)
	if err != nil {
		d.PeriodError = err.Error()
	}
	if d.StatError != "" || d.PeriodError != "" {
		p.Status = http.StatusBadRequest
		return nil
	}
	d.PeriodUsed = stack.Duration(period).String()
	ps := int64(period / time.Second)
	start := time.Unix((p.Now.Add(-rng).Unix()+ps-1)/ps*ps, 0).UTC()
	res, err := u.opts.Metrics.Statistics(r.Context(), metricstore.Query{Env: p.Env, Namespace: d.Namespace, Name: d.Metric,
		Dims: dims, Start: start, End: p.Now, Period: period, Statistics: []metric.Statistic{st}})
	if qe, ok := err.(*metricstore.QueryError); ok {
		if qe.Field == "period" {
			d.PeriodError = qe.Message
		} else {
			d.ResultError = qe.Error()
		}
		p.Status = http.StatusBadRequest
		return nil
	}
	if err != nil {
		return err
	}
	d.Queried = true
	c := &linesChart{Start: start, End: p.Now, Period: period, Stat: st.String()}
	for _, res := range res {
		row := seriesRow{Label: dimsLabel(res.Dims)}
		for _, dp := range res.Datapoints {
			v, ok := dp.Values[c.Stat]
			if !ok {
				continue
			}
			if row.Present == 0 || v < row.Min {
				row.Min = v
			}
			if row.Present == 0 || v > row.Max {
				row.Max = v
			}
			row.Last = v
			row.Present++
			if c.Unit == "" && dp.Unit != "" {
				c.Unit = string(dp.Unit)
			}
		}
		d.Series = append(d.Series, row)
		c.Lines = append(c.Lines, line{Label: row.Label, Points: res.Datapoints})
	}
	order := make([]int, len(d.Series))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return d.Series[order[a]].Label < d.Series[order[b]].Label })
	rows, lines := make([]seriesRow, len(order)), make([]line, 0, maxLines)
	for i, j := range order {
		rows[i] = d.Series[j]
		if i < maxLines {
			rows[i].Drawn = true
			lines = append(lines, c.Lines[j])
		}
	}
	d.Series, c.Lines, d.Drawn = rows, lines, len(lines)
	if len(lines) > 0 {
		d.Chart = template.JS(c.appendJSON(make([]byte, 0, 16<<10)))
		p.Charts = true
	}
	return nil
}

// explorerPeriod reads the period choice; "auto" is the shortest of autoPeriods that
// gives at most metricstore.MaxDatapoints points over the range.
func explorerPeriod(v string, rng time.Duration) (time.Duration, error) {
	if v == "auto" {
		for _, p := range autoPeriods {
			if rng/p <= metricstore.MaxDatapoints {
				return p, nil
			}
		}
		return autoPeriods[len(autoPeriods)-1], nil
	}
	d, err := stack.ParseDuration(v)
	if err != nil || d <= 0 || d.Std()%time.Second != 0 {
		return 0, badRequest("The period must be a whole number of seconds such as 10s, 1m or 1h, or auto.")
	}
	return d.Std(), nil
}

func rangeOf(name string) (time.Duration, bool) {
	for _, c := range chartRanges {
		if c.Name == name {
			return c.D, true
		}
	}
	return 0, false
}

func dimsLabel(dims []metric.Dim) string {
	if len(dims) == 0 {
		return "(no dimensions)"
	}
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = d.Name + "=" + d.Value
	}
	return strings.Join(parts, ", ")
}

// distinct returns the sorted distinct non-empty keys of the series.
func distinct(series []metricstore.SeriesInfo, key func(*metricstore.SeriesInfo) string) []string {
	seen := map[string]bool{}
	var out []string
	for i := range series {
		if k := key(&series[i]); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
