package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// chartRanges are the time ranges the alarm chart offers (?range=); 24h by default.
var chartRanges = []struct {
	Name string
	D    time.Duration
}{{"1h", time.Hour}, {"3h", 3 * time.Hour}, {"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}}

type otherEnv struct {
	Env    string
	State  eval.State
	Exists bool
}

type alarmDetailData struct {
	Name, Alarm, Instance string
	Def                   *stack.Alarm          // nil for a composite
	Composite             *stack.CompositeAlarm // nil for a metric alarm
	Instances             []alarmRow            // a template's page: its instances
	Template              bool
	Inst                  *engine.Instance // the instance shown (nil on a template's page)
	Flapping              bool
	FlappingSince         time.Time
	Range                 string
	Chart                 template.JS // JSON for app.js; "" when there is no chart
	ChartError            string
	History               []store.HistoryItem // newest first
	Others                []otherEnv
	SilenceURL            string
	Backtest              string // the `tocsin backtest` command for a metric alarm
}

// Ranges are the chart's range choices (for links).
func (d *alarmDetailData) Ranges() []string {
	out := make([]string, len(chartRanges))
	for i, r := range chartRanges {
		out[i] = r.Name
	}
	return out
}

// alarmDetail is GET /ui/env/{env}/alarms/{name}?range=: NAME or NAME[instance].
func (u *UI) alarmDetail(w http.ResponseWriter, r *http.Request, p *page) error {
	name := r.PathValue("name")
	// 3 hours by default: a fresh breach shows with its context, not squeezed against
	// the right edge of a day.
	d := &alarmDetailData{Name: name, Range: "3h"}
	d.Alarm, d.Instance = engine.ParseInstanceName(name)
	rng := 3 * time.Hour
	if v := r.URL.Query().Get("range"); v != "" {
		rng = 0
		for _, c := range chartRanges {
			if c.Name == v {
				d.Range, rng = c.Name, c.D
			}
		}
		if rng == 0 {
			return badRequest("The range must be one of 1h, 3h, 24h or 7d.")
		}
	}
	def, instances, ok := u.opts.Alarms.Alarm(p.Env, d.Alarm)
	if !ok {
		return errNotFound
	}
	d.Def, _ = def.(*stack.Alarm)
	d.Composite, _ = def.(*stack.CompositeAlarm)
	if d.Instance == "" && (len(instances) != 1 || instances[0].Instance != "") {
		d.Template = true
		for _, inst := range instances {
			row := alarmRow{Instance: inst, Name: engine.InstanceName(inst.Alarm, inst.Instance)}
			row.Flapping, _ = u.opts.Notifier.Flapping(p.Env, row.Name)
			d.Instances = append(d.Instances, row)
		}
		sort.SliceStable(d.Instances, func(i, j int) bool {
			return d.Instances[i].State == eval.Alarm && d.Instances[j].State != eval.Alarm
		})
	} else {
		for i := range instances {
			if instances[i].Instance == d.Instance {
				d.Inst = &instances[i]
			}
		}
		if d.Inst == nil {
			return errNotFound
		}
		d.Flapping, d.FlappingSince = u.opts.Notifier.Flapping(p.Env, name)
	}
	if err := u.alarmHistoryAndChart(r.Context(), p, d, rng); err != nil {
		return err
	}
	for _, env := range p.Envs {
		if env != p.Env {
			st, ok := u.opts.Alarms.State(env, name)
			d.Others = append(d.Others, otherEnv{Env: env, State: st, Exists: ok})
		}
	}
	v := url.Values{"alarm": {d.Alarm}}
	if d.Inst != nil {
		for _, dim := range d.Inst.Dims {
			v.Add("dim", dim.Name+"="+dim.Value)
		}
	}
	d.SilenceURL = envPath(p.Env, "silences") + "?" + v.Encode() + "#new-silence"
	if d.Def != nil {
		d.Backtest = u.backtestCommand(r, p.Env, d.Alarm, d.Range)
	}
	p.Title, p.Section, p.template, p.Data = name+" · "+p.Env, "alarms", "alarm", d
	p.Charts = d.Chart != ""
	return nil
}

// historyShown is how many history items the alarm page lists.
const historyShown = 50

func (u *UI) alarmHistoryAndChart(ctx context.Context, p *page, d *alarmDetailData, rng time.Duration) error {
	var inst *string
	if !d.Template {
		inst = &d.Instance
	}
	from := p.Now.Add(-rng)
	history, err := u.opts.Alarms.History(ctx, p.Env, d.Alarm, inst, from, time.Time{}, 1000)
	if err != nil {
		return err
	}
	d.History = history
	if len(d.History) > historyShown {
		d.History = d.History[:historyShown]
	}
	if d.Inst == nil || d.Def == nil || u.opts.Metrics == nil {
		return nil
	}
	c, err := u.chartFor(ctx, p.Env, d.Def, d.Inst, history, p.Now, rng)
	if err != nil {
		d.ChartError = err.Error()
		return nil
	}
	d.Chart = template.JS(c.appendJSON(make([]byte, 0, 64<<10)))
	return nil
}

// chartPeriod is the chart's period for a range: the alarm's own period when the range
// fits in metricstore.MaxDatapoints of them, else the next whole minute that fits (data
// older than 3 hours has 60-second resolution).
func chartPeriod(alarm, rng time.Duration) time.Duration {
	p := alarm
	if p < time.Minute && rng > time.Hour {
		p = time.Minute
	}
	if rng/p > metricstore.MaxDatapoints { // the start is rounded up, so rng/p periods at most
		p = (rng/metricstore.MaxDatapoints + time.Minute - 1) / time.Minute * time.Minute
	}
	return p
}

// chartFor queries the alarm's metric for one instance over the range ending now.
func (u *UI) chartFor(ctx context.Context, env string, def *stack.Alarm, inst *engine.Instance, history []store.HistoryItem, now time.Time, rng time.Duration) (*chartSeries, error) {
	st, err := metric.ParseStatistic(def.Statistic)
	if err != nil {
		return nil, err
	}
	period := chartPeriod(def.Period.Std(), rng)
	ps := int64(period / time.Second)
	start := time.Unix((now.Add(-rng).Unix()+ps-1)/ps*ps, 0).UTC() // aligned, and inside the range
	q := metricstore.Query{Env: env, Namespace: def.Metric.Namespace, Name: def.Metric.Name, Dims: inst.Dims,
		Unit: metric.Unit(def.Metric.Unit), Start: start, End: now, Period: period, Statistics: []metric.Statistic{st}}
	if len(q.Dims) == 0 {
		for k, v := range def.Metric.Dimensions {
			q.Dims = append(q.Dims, metric.Dim{Name: k, Value: v})
		}
		metric.SortDims(q.Dims)
	}
	c := &chartSeries{Start: start, End: now, Period: period, Stat: st.String(), Threshold: def.Threshold, Unit: def.Metric.Unit}
	for i, k := range []string{"Minimum", "Average", "Maximum", "SampleCount"} {
		s, _ := metric.ParseStatistic(k)
		c.Keys[i] = s.String()
		if c.Keys[i] != c.Stat {
			q.Statistics = append(q.Statistics, s)
		}
	}
	res, err := u.opts.Metrics.Statistics(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(res) > 0 {
		c.Points = res[0].Datapoints
	}
	dims := map[string]string{}
	for _, d := range q.Dims {
		dims[d.Name] = d.Value
	}
	if c.Notes, err = u.opts.Store.ListAnnotations(ctx, store.AnnotationQuery{Environment: env, From: start, To: now.Add(time.Second), Dimensions: dims, Limit: 200}); err != nil {
		return nil, err
	}
	c.States = stateSpans(history, start, now, inst.State)
	return c, nil
}

// backtestCommand is the CLI command replaying an alarm's history over the chart's range
// from this server (there is no backtest page): run in the stack's directory.
func (u *UI) backtestCommand(r *http.Request, env, alarm, from string) string {
	server := strings.TrimRight(u.opts.PublicURL(), "/")
	if server == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		server = scheme + "://" + r.Host
	}
	return "tocsin backtest . --env " + shellQuote(env) + " --alarm " + shellQuote(alarm) + " --from " + shellQuote(from) + " --server " + shellQuote(server)
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9._/:=@%+,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
