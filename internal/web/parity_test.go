package web

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/stack"
)

func parityReport() *stack.Report {
	cells := func(cs ...stack.Cell) []stack.Cell {
		for i, e := range []string{"staging", "production", "qa"} {
			cs[i].Env = e
		}
		return cs
	}
	same, absent := stack.Cell{Status: stack.StatusSame}, stack.Cell{Status: stack.StatusAbsent}
	return &stack.Report{Environments: []string{"staging", "production", "qa"}, Live: "this server", Undeclared: 1, Drifted: 1, Rows: []*stack.Row{
		{Kind: "alarms", Name: "cpu-high", Cells: cells(same,
			stack.Cell{Status: stack.StatusOverridden, Overrides: []stack.Override{{Field: "threshold", Value: "90"}}, Reason: "production is busier"},
			stack.Cell{Status: stack.StatusExcluded, Reason: "no traffic " + evil})},
		{Kind: "topics", Name: "pager " + evil, Cells: cells(
			stack.Cell{Status: stack.StatusDrift, Detail: "changed at runtime: subscriptions[0].endpoint", Overrides: []stack.Override{{Field: "subscriptions[0].endpoint", Value: `"` + evil + `"`}}},
			same, absent)},
		{Kind: "alarms", Name: "orphan", Cells: cells(stack.Cell{Status: stack.StatusUndeclared, Detail: "exists only where overlays/staging adds it, and no reason is given"}, absent, absent)},
		{Kind: "alarms", Name: "qa-only", Cells: cells(absent, absent, same)},
		{Kind: "rules", Name: "annotate", Cells: cells(same, same, same)},
	}}
}

func TestParityPage(t *testing.T) {
	h := newHarness(t, func(o *Options) {
		o.Environments = func() []string { return []string{"staging", "production", "qa"} }
		o.Parity = func() (*stack.Report, error) { return parityReport(), nil }
	})
	admin, _ := h.login(adminToken)
	res := h.do("GET", "/ui/parity", admin, nil)
	page := body(t, res)
	if res.StatusCode != 200 {
		t.Fatalf("status %d\n%.500s", res.StatusCode, page)
	}
	for _, w := range []string{`id="parity-table"`, `<th scope="col" data-env="qa">qa</th>`, `id="nav-parity" href="/ui/parity" aria-current="page"`,
		`<tr data-kind="alarms" data-name="cpu-high">`, `data-env="production" data-status="overridden"`, `<code>threshold</code> = <code>90</code>`,
		`Why: production is busier`, `data-env="qa" data-status="excluded"`, `Why: no traffic &lt;script&gt;`,
		`data-name="pager &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" class="failing"`, `data-env="staging" data-status="drift" class="ps ps-drift"`,
		`changed at runtime: subscriptions[0].endpoint`, `data-env="staging" data-status="undeclared"`, `data-name="qa-only"`,
		`data-count="undeclared">1<`, `data-count="drift">1<`, `id="parity-legend"`, `<span class="badge ps-absent">absent</span>`, `5 resources`} {
		if !strings.Contains(page, w) {
			t.Errorf("parity page: no %q", w)
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("parity page: unescaped resource names or reasons")
	}
	page = body(t, h.do("GET", "/ui/parity?show=differences", admin, nil))
	if strings.Contains(page, `data-name="annotate"`) || !strings.Contains(page, `data-name="cpu-high"`) || !strings.Contains(page, `aria-current="true">Only differences`) {
		t.Error("only differences: the same-everywhere row is listed, or a differing one is not")
	}

	// A token that reads staging and production sees their columns only, the rows that
	// exist there, and counts of what it sees.
	writer, _ := h.login(writeToken)
	page = body(t, h.do("GET", "/ui/parity", writer, nil))
	if strings.Contains(page, `data-env="qa"`) || strings.Contains(page, `data-name="qa-only"`) || strings.Contains(page, `no traffic`) ||
		!strings.Contains(page, `1 environment(s) your token may not read are left out`) || !strings.Contains(page, `4 resources`) {
		t.Errorf("the parity page shows an environment the token may not read\n%.3000s", page)
	}
}

func TestParityPageAbsentOrFailing(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(adminToken)
	if res := h.do("GET", "/ui/parity", cookie, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("no Parity: status %d, want 404", res.StatusCode)
	}
	if page := body(t, h.do("GET", "/ui/", cookie, nil)); strings.Contains(page, `id="nav-parity"`) {
		t.Error("the nav links a missing parity page")
	}
	h = newHarness(t, func(o *Options) { o.Parity = func() (*stack.Report, error) { return nil, errors.New("boom") } })
	cookie, _ = h.login(adminToken)
	if res := h.do("GET", "/ui/parity", cookie, nil); res.StatusCode != http.StatusInternalServerError {
		t.Errorf("failing Parity: status %d, want 500", res.StatusCode)
	}
}

// The alarm page offers the backtest command (there is no backtest page), quoted for a
// shell, against the public URL when there is one.
func TestBacktestCommand(t *testing.T) {
	h := newHarness(t, nil)
	cookie, _ := h.login(readToken)
	page := body(t, h.do("GET", "/ui/env/staging/alarms/cpu-high?range=7d", cookie, nil))
	for _, w := range []string{`id="backtest"`, `<pre id="backtest-command" tabindex="0"><code>tocsin backtest . --env staging --alarm cpu-high --from 7d --server http://example.com</code></pre>`,
		`data-copy="backtest-command" data-status="backtest-copied" hidden`, `id="backtest-copied" role="status"`} {
		if !strings.Contains(page, w) {
			t.Errorf("alarm page: no %q", w)
		}
	}
	h = newHarness(t, func(o *Options) { o.PublicURL = func() string { return "https://tocsin.example.com/" } })
	cookie, _ = h.login(readToken)
	page = body(t, h.do("GET", "/ui/env/staging/alarms/disk-full%5BHost=db1%5D", cookie, nil))
	if !strings.Contains(page, `--alarm disk-full --from 3h --server https://tocsin.example.com</code>`) {
		t.Errorf("backtest command of an instance: %s", page[strings.Index(page, `id="backtest"`):][:600])
	}
	for in, want := range map[string]string{"cpu-high": "cpu-high", "a b": "'a b'", "it's": `'it'\''s'`, "$(rm)": "'$(rm)'"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// Links in notifications name environments in full; they lead to the same pages.
func TestEnvironmentsRedirect(t *testing.T) {
	h := newHarness(t, nil)
	for path, want := range map[string]string{
		"/ui/environments/production/alarms/api-5xx-errors":    "/ui/env/production/alarms/api-5xx-errors",
		"/ui/environments/staging/incidents/7":                 "/ui/env/staging/incidents/7",
		"/ui/environments/staging/alarms/disk-full%5BH=1%5D":   "/ui/env/staging/alarms/disk-full%5BH=1%5D",
		"/ui/environments/staging/metrics?namespace=App&x=%2A": "/ui/env/staging/metrics?namespace=App&x=%2A",
	} {
		res := h.do("GET", path, "", nil)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
			t.Errorf("GET %s: %d → %q, want 301 → %q", path, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}
