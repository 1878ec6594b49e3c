package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// browserStack has an alarm whose ALARM action is an escalation policy, so that a
// breach opens an incident (its one subscription is a local webhook), and one that only
// production has, for the parity page.
const browserStack = `
environments: [production, staging]
server:
  notifications:
    group_wait: 0s
alarms:
  - name: api-errors
    description: Errors answered by the API.
    metric: {namespace: MyApp/API, name: Errors, unit: Count}
    statistic: Sum
    period: 1m
    evaluation_periods: 1
    threshold: 10
    comparison: GreaterThanOrEqualToThreshold
    treat_missing_data: notBreaching
    actions: {alarm: [oncall]}
  - name: api-traffic-floor
    description: Requests to the API dropped below the normal floor.
    only: [production]
    reason: Staging traffic is too low for a floor to mean anything.
    metric: {namespace: MyApp/API, name: Requests, unit: Count}
    statistic: Sum
    period: 5m
    evaluation_periods: 1
    threshold: 1
    comparison: LessThanThreshold
    treat_missing_data: notBreaching
topics:
  - name: pager
    subscriptions:
      - name: hook
        webhook: {url: "%s/hook"}
escalation_policies:
  - name: oncall
    steps:
      - {after: 0m, notify: [pager]}
`

// chartProbe reads the alarm chart's canvas: its size, how many pixels are painted and
// in how many colours, and for each row how many pixels are the threshold's red and in
// how many separate runs (the threshold is a dashed line across the plot).
const chartProbe = `(() => {
  const c = document.querySelector('#alarm-chart canvas');
  if (!c || !c.width || !c.height) return null;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  let painted = 0, blue = 0, bestRow = -1, bestRed = 0, bestRuns = 0;
  for (let y = 0; y < c.height; y++) {
    let red = 0, runs = 0, inRun = false;
    for (let x = 0; x < c.width; x++) {
      const i = (y * c.width + x) * 4, r = d[i], g = d[i+1], b = d[i+2], a = d[i+3];
      if (a > 0) { painted++; if (colours.size < 1000) colours.add((r << 16) | (g << 8) | b); }
      const isRed = a > 60 && r > 150 && g < 100 && b < 110;
      if (a > 60 && b > 120 && r < 80) blue++;
      if (isRed) { red++; if (!inRun) runs++; }
      inRun = isRed;
    }
    if (runs > bestRuns || (runs === bestRuns && red > bestRed)) { bestRow = y; bestRed = red; bestRuns = runs; }
  }
  return {width: c.width, height: c.height, painted, colours: colours.size, blue, redRow: bestRow, redPixels: bestRed, redRuns: bestRuns};
})()`

type chartPixels struct {
	Width, Height, Painted, Colours, Blue int
	RedRow, RedPixels, RedRuns            int
}

// The UI in a real browser against the real server: sign in, see an alarm that metrics
// pushed into ALARM, its chart drawn with the threshold, acknowledge the incident it
// opened, create and expire a silence, compare the environments on the parity page.
// Every page is screenshotted and checked for being non-blank, and no page may throw,
// log an error or break its CSP.
func TestBrowserEndToEnd(t *testing.T) {
	chromium := requireChromium(t)
	began := time.Now()

	rc := newReceiver(t, 200)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte(fmt.Sprintf(browserStack, rc.srv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)}
	ts := start(t, dir, func(o *Options) { o.Now = clock.Now })

	// A few quiet minutes, then twelve errors in one minute (threshold 10); the clock
	// moves past that minute and its evaluation delay.
	base := clock.Now()
	var datums []string
	for m, n := range []int{2, 4, 3, 5, 12} {
		for i := 0; i < n; i++ {
			at := base.Add(time.Duration(m)*time.Minute + time.Duration(i)*time.Second)
			datums = append(datums, fmt.Sprintf(`{"name":"Errors","unit":"Count","timestamp":%q,"value":1}`, at.Format(time.RFC3339)))
		}
	}
	if code, resp := ts.post(t, "/api/v1/metrics", adminTok, []byte(`{"environment":"production","namespace":"MyApp/API","metric_data":[`+strings.Join(datums, ",")+`]}`), nil); code != 200 {
		t.Fatalf("ingest: %d %v", code, resp)
	}
	clock.Set(base.Add(5*time.Minute + 11*time.Second))
	alarmPath := "/api/v1/environments/production/alarms/api-errors"
	eventually(t, "the alarm to reach ALARM", func() bool {
		_, got := ts.call(t, "GET", alarmPath, adminTok, "")
		insts, _ := got["instances"].([]any)
		return len(insts) == 1 && insts[0].(map[string]any)["state"] == "ALARM"
	})
	var incident string
	eventually(t, "the escalation policy to open an incident", func() bool {
		_, list := ts.call(t, "GET", "/api/v1/environments/production/incidents", adminTok, "")
		incs, _ := list["incidents"].([]any)
		if len(incs) != 1 {
			return false
		}
		incident = fmt.Sprint(incs[0].(map[string]any)["id"])
		return true
	})

	b := newBrowser(t, chromium, 5*time.Minute)
	const wait = 90 * time.Second // per step: the machine may be busy with other tests

	// Sign in: /ui/ leads to the login form; the admin token opens the overview.
	b.step("open the UI", wait,
		chromedp.Navigate(ts.url+"/"),
		chromedp.WaitVisible(`#login-form`, chromedp.ByQuery),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
	)
	b.screenshot("login")
	b.step("sign in", wait,
		chromedp.SendKeys(`#token`, adminTok, chromedp.ByQuery),
		chromedp.Click(`#login-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#env-production`, chromedp.ByQuery),
	)

	// Overview: production counts one alarm in ALARM and lists it; staging none.
	b.step("overview shows the alarm", wait,
		chromedp.WaitVisible(`#reload-status`, chromedp.ByQuery),
		pageHasText(`#env-production strong[data-count="ALARM"]`, "1"),
		pageHasText(`#env-production strong[data-count="incidents"]`, "1"),
		pageHasText(`#env-staging strong[data-count="ALARM"]`, "0"),
		pageHasText(`#env-production ul.alarming a`, "api-errors"),
	)
	b.screenshot("overview")

	// The alarm page (through the overview's link): state, reason and the chart.
	b.step("open the alarm", wait,
		chromedp.Click(`#env-production ul.alarming a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#alarm-title`, chromedp.ByQuery),
		pageHasText(`#alarm-title`, "api-errors"),
		pageHasText(`#alarm-state`, "ALARM"),
		chromedp.WaitVisible(`#alarm-reason`, chromedp.ByQuery),
		// The last hour, where the pushed minutes are a visible stretch of line.
		chromedp.Click(`#chart-ranges a[href="?range=1h"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#chart-ranges a[href="?range=1h"][aria-current]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#alarm-chart canvas`, chromedp.ByQuery),
	)
	var threshold float64
	var px chartPixels
	b.step("the chart is drawn", wait,
		chromedp.Evaluate(`JSON.parse(document.querySelector('script[data-chart="alarm-chart"]').textContent).threshold`, &threshold),
		// Wait until uPlot has painted the canvas (scripts are deferred).
		chromedp.Poll(`(() => { const r = `+chartProbe+`; return r && r.painted > 0 && r.colours > 1 ? r : null; })()`, &px,
			chromedp.WithPollingInterval(100*time.Millisecond)),
	)
	t.Logf("chart canvas: %+v", px)
	if threshold != 10 {
		t.Errorf("chart data: threshold %v, want 10", threshold)
	}
	// The canvas is not one colour: a good share of it is painted, in several colours,
	// the data line (blue) is there, and a row holds the dashed red threshold across most
	// of the plot (many separate runs of red, unlike the state strip's one block).
	if px.Painted < px.Width*px.Height/100 || px.Colours < 3 || px.Blue < 50 {
		t.Errorf("chart canvas barely drawn: %+v", px)
	}
	if px.RedRuns < 10 || px.RedPixels < px.Width/4 {
		t.Errorf("no dashed threshold line on the chart: %+v", px)
	}
	b.screenshot("alarm")

	// Incidents: the list has the one opened by the escalation policy; acknowledging it
	// stops the escalation and adds to the timeline.
	row := `#incident-table tr[data-incident="` + incident + `"]`
	b.step("open the incidents", wait,
		chromedp.Click(`#nav-incidents`, chromedp.ByQuery),
		chromedp.WaitVisible(row, chromedp.ByQuery),
	)
	var state string
	b.step("read the incident's state", wait, chromedp.AttributeValue(row, "data-state", &state, nil, chromedp.ByQuery))
	if state != "open" {
		t.Errorf("incident %s in the list: state %q, want open", incident, state)
	}
	b.screenshot("incidents")
	b.step("open the incident", wait,
		chromedp.Click(row+` a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#incident-timeline li[data-kind="opened"]`, chromedp.ByQuery),
		pageHasText(`#incident-state`, "open"),
		chromedp.WaitVisible(`#ack-button`, chromedp.ByQuery),
	)
	b.screenshot("incident")
	b.step("acknowledge", wait,
		chromedp.Click(`#ack-button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#incident-timeline li[data-kind="acknowledged"]`, chromedp.ByQuery),
		pageHasText(`#incident-state`, "acknowledged"),
		pageHasText(`#notice`, "Acknowledged: escalation has stopped."),
		chromedp.WaitNotPresent(`#ack-button`, chromedp.ByQuery),
	)
	var ackLine string
	b.step("read the timeline", wait, pageText(`#incident-timeline li[data-kind="acknowledged"]`, &ackLine))
	if !strings.Contains(ackLine, "Acknowledged by admin") {
		t.Errorf("timeline entry: %q", ackLine)
	}
	b.screenshot("incident-acknowledged")

	// Silences: create one from the form, see it active, expire it.
	b.step("open the silences", wait,
		chromedp.Click(`#nav-silences`, chromedp.ByQuery),
		chromedp.WaitVisible(`#silence-form`, chromedp.ByQuery),
		chromedp.WaitVisible(`#silence-empty`, chromedp.ByQuery),
	)
	b.screenshot("silences")
	b.step("create a silence", wait,
		chromedp.SendKeys(`#s-alarm`, "api-*", chromedp.ByQuery),
		chromedp.SetValue(`#s-duration`, "1h", chromedp.ByQuery), // in place of the offered 2h
		chromedp.SendKeys(`#s-comment`, "Browser test: deploy in progress", chromedp.ByQuery),
		chromedp.Click(`#silence-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#silence-table tr[data-state="active"]`, chromedp.ByQuery),
		pageHasText(`#notice`, "Silence created."),
	)
	var silence string
	var rows []*cdp.Node
	b.step("read the silence", wait,
		chromedp.AttributeValue(`#silence-table tr[data-state="active"]`, "data-silence", &silence, nil, chromedp.ByQuery),
		pageNodes(`#silence-table tbody tr`, &rows),
	)
	if _, err := strconv.Atoi(silence); err != nil || len(rows) != 1 {
		t.Fatalf("silence row: id %q, %d rows", silence, len(rows))
	}
	var mutes string
	b.step("read what it mutes", wait, pageText(`#silence-table tr[data-silence="`+silence+`"]`, &mutes))
	if !strings.Contains(mutes, "api-*") || !strings.Contains(mutes, "Browser test: deploy in progress") {
		t.Errorf("silence row: %q", mutes)
	}
	b.screenshot("silence-created")
	if sl := apiSilence(t, ts, silence); sl == nil || sl["state"] != "active" || sl["created_by"] != "admin" {
		t.Errorf("the API after creating silence %s in the UI: %v", silence, sl)
	} else if from, to := apiTime(t, sl["starts_at"]), apiTime(t, sl["ends_at"]); to.Sub(from) != time.Hour {
		t.Errorf("silence %s lasts %v, want the 1h typed into the form", silence, to.Sub(from))
	}
	b.step("expire the silence", wait,
		chromedp.Click(`button[aria-label="Expire silence `+silence+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#silence-empty`, chromedp.ByQuery),
		pageHasText(`#notice`, "Silence expired."),
		chromedp.Click(`#silence-filter a[href="?expired=true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#silence-table tr[data-silence="`+silence+`"][data-state="expired"]`, chromedp.ByQuery),
	)
	b.screenshot("silence-expired")
	if sl := apiSilence(t, ts, silence); sl == nil || sl["state"] != "expired" {
		t.Errorf("the API after expiring silence %s in the UI: %v", silence, sl)
	}

	// Parity: api-errors is the same everywhere; api-traffic-floor is left out of
	// staging, for the reason the stack gives; nothing is undeclared or drifted. The
	// differences filter keeps only the latter.
	floor := `#parity-table tr[data-name="api-traffic-floor"]`
	b.step("open the parity page", wait,
		chromedp.Click(`#nav-parity`, chromedp.ByQuery),
		chromedp.WaitVisible(`#parity-table`, chromedp.ByQuery),
		chromedp.WaitVisible(`#parity-table tr[data-name="api-errors"] td[data-env="production"][data-status="same"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#parity-table tr[data-name="api-errors"] td[data-env="staging"][data-status="same"]`, chromedp.ByQuery),
		chromedp.WaitVisible(floor+` td[data-env="production"][data-status="same"]`, chromedp.ByQuery),
		chromedp.WaitVisible(floor+` td[data-env="staging"][data-status="excluded"]`, chromedp.ByQuery),
	)
	var why string
	var failing []*cdp.Node
	b.step("read the parity table", wait,
		pageText(floor+` td[data-env="staging"] p.why`, &why),
		pageNodes(`#parity-summary strong[data-count], #parity-table tr.failing`, &failing),
	)
	if !strings.Contains(why, "Staging traffic is too low for a floor to mean anything.") {
		t.Errorf("parity: the exclusion's reason reads %q", why)
	}
	if len(failing) != 0 {
		t.Errorf("parity: %d undeclared or drifted counts or rows, want none", len(failing))
	}
	b.screenshot("parity")
	var sameRows []*cdp.Node
	b.step("show only the differences", wait,
		chromedp.Click(`#parity-filter a[href$="show=differences"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#parity-filter a[href$="show=differences"][aria-current]`, chromedp.ByQuery),
		chromedp.WaitVisible(floor, chromedp.ByQuery),
		pageNodes(`#parity-table tr[data-name="api-errors"]`, &sameRows),
	)
	if len(sameRows) != 0 {
		t.Errorf("parity, only differences: api-errors is listed though the same everywhere")
	}
	b.screenshot("parity-differences")

	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the pages reported problems:\n%s", strings.Join(p, "\n"))
	}
	t.Logf("browser test took %v", time.Since(began).Round(time.Millisecond))
}

// apiSilence returns silence id of production as the API shows it (expired ones too).
func apiSilence(t *testing.T, ts *testServer, id string) map[string]any {
	t.Helper()
	code, list := ts.call(t, "GET", "/api/v1/environments/production/silences?expired=true", adminTok, "")
	if code != 200 {
		t.Fatalf("list silences: %d %v", code, list)
	}
	all, _ := list["silences"].([]any)
	for _, s := range all {
		if m, _ := s.(map[string]any); fmt.Sprint(m["id"]) == id {
			return m
		}
	}
	return nil
}

func apiTime(t *testing.T, v any) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(v))
	if err != nil {
		t.Errorf("time %v: %v", v, err)
	}
	return at
}
