package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
)

// catalog is a metric store's series list and statistics: "*" and globs in a query's
// dimensions return one result per matching series, as the real store does.
type catalog struct {
	series  []metricstore.SeriesInfo
	queries []metricstore.Query
}

func (c *catalog) ListMetrics(f metricstore.MetricFilter, limit int) ([]metricstore.SeriesInfo, bool) {
	var out []metricstore.SeriesInfo
	for _, s := range c.series {
		if (f.Namespace == "" || s.Namespace == f.Namespace) && (f.Name == "" || s.Name == f.Name) {
			out = append(out, s)
		}
	}
	if len(out) > limit {
		return out[:limit], true
	}
	return out, false
}

func (c *catalog) Statistics(ctx context.Context, q metricstore.Query) ([]metricstore.Result, error) {
	c.queries = append(c.queries, q)
	if n := q.End.Sub(q.Start) / q.Period; n > metricstore.MaxDatapoints {
		return nil, &metricstore.QueryError{Field: "period", Message: "the query spans too many periods"}
	}
	var out []metricstore.Result
	for _, s := range c.series {
		if s.Namespace != q.Namespace || s.Name != q.Name || len(s.Dimensions) != len(q.Dims) {
			continue
		}
		ok := true
		for i, d := range q.Dims {
			ok = ok && d.Name == s.Dimensions[i].Name && (d.Value == "*" || metric.MatchGlob(d.Value, s.Dimensions[i].Value))
		}
		if !ok {
			continue
		}
		var dps []metricstore.Datapoint
		for t := q.Start; t.Before(q.End); t = t.Add(q.Period) {
			dps = append(dps, metricstore.Datapoint{Timestamp: t, Values: map[string]float64{q.Statistics[0].String(): float64(len(out) + 1)}})
		}
		out = append(out, metricstore.Result{Dims: s.Dimensions, Datapoints: dps})
	}
	return out, nil
}

func newCatalog() *catalog {
	dims := func(kv ...string) []metric.Dim {
		out := []metric.Dim{}
		for i := 0; i < len(kv); i += 2 {
			out = append(out, metric.Dim{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	return &catalog{series: []metricstore.SeriesInfo{
		{Namespace: "App", Name: "CPU", Dimensions: dims("Host", "h1", "Service", "api")},
		{Namespace: "App", Name: "CPU", Dimensions: dims("Service", evil)},
		{Namespace: "App", Name: "CPU", Dimensions: dims("Service", "api")},
		{Namespace: "App", Name: "CPU", Dimensions: dims("Service", "web")},
		{Namespace: "App", Name: "Latency", Dimensions: dims()},
		{Namespace: "Host", Name: "Disk", Dimensions: dims("Host", "db1")},
	}}
}

func explorerHarness(t *testing.T) (*harness, *catalog) {
	c := newCatalog()
	h := newHarness(t, func(o *Options) { o.Metrics, o.ListMetrics = c, c.ListMetrics })
	return h, c
}

func TestMetricsExplorer(t *testing.T) {
	h, c := explorerHarness(t)
	cookie, _ := h.login(readToken)
	for _, tc := range []struct {
		path    string
		want    []string
		notWant []string
	}{
		{"/ui/env/staging/metrics", []string{`id="metric-form"`, `<option>App</option>`, `<option>Host</option>`, `id="nav-metrics" href="/ui/env/staging/metrics" aria-current="page"`},
			[]string{`id="m-metric"`, `id="metric-chart"`}},
		{"/ui/env/staging/metrics?namespace=App", []string{`<option selected>App</option>`, `id="m-metric" name="metric" data-autosubmit`, `<option>CPU</option>`, `<option>Latency</option>`},
			[]string{`id="m-stat"`, `id="metric-chart"`}},
		// Choosing the metric fills the commonest dimension set with "*": one line per series.
		{"/ui/env/staging/metrics?namespace=App&metric=CPU", []string{`id="m-dims"`, `name="dim.Service" value="*"`, `name="dim.Host" value=""`,
			`data-chart="metric-chart"`, `"kind":"lines"`, `data-series="Service=api"`, `data-series="Service=web"`, `id="metric-permalink"`,
			`dim.Service=%2A`, `Host, Service`, `(3 series)`, `Average of CPU per 1m, last 3h`, `uPlot.iife.min.js`}, nil},
		{"/ui/env/staging/metrics?namespace=App&metric=CPU&dim.Service=api&dim.Host=h1&stat=p99&period=5m&range=24h",
			[]string{`data-series="Host=h1, Service=api"`, `value="p99"`, `<option selected>5m</option>`, `<option selected>24h</option>`}, []string{`data-series="Service=web"`}},
		{"/ui/env/staging/metrics?namespace=App&metric=CPU&period=2m", []string{`<option selected>2m</option>`, `Average of CPU per 2m`}, nil},
		// A metric without dimensions.
		{"/ui/env/staging/metrics?namespace=App&metric=Latency", []string{`data-series="(no dimensions)"`}, []string{`id="m-dims"`}},
		// Another namespace's metric is dropped, and a namespace's only metric chosen for you.
		{"/ui/env/staging/metrics?namespace=Host&metric=CPU&dims_of=App%2FCPU&dim.Service=api", []string{`<option selected>Disk</option>`, `name="dim.Host" value="*"`, `data-series="Host=db1"`}, nil},
		// Dimensions no series has exactly.
		{"/ui/env/staging/metrics?namespace=App&metric=CPU&dim.Service=&dim.Host=h1", []string{`id="metric-no-series"`}, []string{`id="metric-chart"`}},
	} {
		res := h.do("GET", tc.path, cookie, nil)
		page := body(t, res)
		if res.StatusCode != 200 {
			t.Errorf("GET %s: status %d\n%.500s", tc.path, res.StatusCode, page)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("GET %s: no %q", tc.path, w)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(page, w) {
				t.Errorf("GET %s: unexpected %q", tc.path, w)
			}
		}
		if strings.Contains(page, "<script>alert") {
			t.Errorf("GET %s: unescaped dimension value", tc.path)
		}
	}
	q := c.queries[0]
	if q.Period != time.Minute || q.End != testNow || q.Start != testNow.Add(-3*time.Hour) || len(q.Dims) != 1 || q.Dims[0] != (metric.Dim{Name: "Service", Value: "*"}) {
		t.Errorf("first query %+v: want 3h at 1m of Service=*", q)
	}
}

func TestMetricsChartData(t *testing.T) {
	h, _ := explorerHarness(t)
	cookie, _ := h.login(readToken)
	page := body(t, h.do("GET", "/ui/env/staging/metrics?namespace=App&metric=CPU&range=1h", cookie, nil))
	m := regexp.MustCompile(`(?s)<script type="application/json" data-chart="metric-chart">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no chart data")
	}
	if strings.Contains(m[1], "<") || !strings.Contains(m[1], `"label":"Service=\u003cscript\u003e`) {
		t.Errorf("series labels must be escaped inside the script block: %.300s", m[1])
	}
	if n := strings.Count(m[1], `"label"`); n != 3 {
		t.Errorf("%d lines, want 3", n)
	}
	if !strings.Contains(m[1], `"period":60`) || !strings.Contains(m[1], `"stat":"Average"`) {
		t.Errorf("chart data %.200s", m[1])
	}
}

func TestMetricsExplorerErrors(t *testing.T) {
	h, _ := explorerHarness(t)
	cookie, _ := h.login(readToken)
	for _, tc := range []struct{ path, field, text string }{
		{"/ui/env/staging/metrics?namespace=App&metric=CPU&stat=p101", `id="m-stat-error"`, `p101`},
		{"/ui/env/staging/metrics?namespace=App&metric=CPU&period=soon", `id="m-period-error"`, `whole number of seconds`},
		{"/ui/env/staging/metrics?namespace=App&metric=CPU&period=10s&range=7d", `id="m-period-error"`, `too many periods`},
	} {
		res := h.do("GET", tc.path, cookie, nil)
		page := body(t, res)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, tc.field) || !strings.Contains(page, tc.text) ||
			!strings.Contains(page, `aria-invalid="true"`) || !strings.Contains(page, `id="metric-form"`) {
			t.Errorf("GET %s: status %d, want 400 with %s saying %q beside the field", tc.path, res.StatusCode, tc.field, tc.text)
		}
	}
	if res := h.do("GET", "/ui/env/staging/metrics?range=2y", cookie, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad range: status %d", res.StatusCode)
	}
	// Without a metric list there is no explorer, and no link to it.
	h2 := newHarness(t, nil)
	c2, _ := h2.login(readToken)
	if res := h2.do("GET", "/ui/env/staging/metrics", c2, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("explorer without ListMetrics: status %d, want 404", res.StatusCode)
	}
	if page := body(t, h2.do("GET", "/ui/env/staging/alarms", c2, nil)); strings.Contains(page, `id="nav-metrics"`) {
		t.Error("the nav links a missing explorer")
	}
	// Environments the token may not read stay hidden.
	if res := h.do("GET", "/ui/env/production/metrics", cookie, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unreadable environment: status %d, want 404", res.StatusCode)
	}
}
