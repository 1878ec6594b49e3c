package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

type rig struct {
	t       *testing.T
	dir     string
	now     time.Time
	ms      *metricstore.Store
	db      *sqlite.DB
	eng     *Engine
	changes []Change
	env     *stack.Env
}

const rigStack = `alarms:
  - name: broker-max
    metric: {namespace: ELB, name: BackendConnectionErrors, dimensions: {LoadBalancerName: broker}, unit: Count}
    statistic: Maximum
    period: 1m
    evaluation_periods: 3
    threshold: 100
    comparison: GreaterThanThreshold
    actions: {alarm: [alarms]}
  - name: broker-sum
    metric: {namespace: ELB, name: BackendConnectionErrors, dimensions: {LoadBalancerName: broker}, unit: Count}
    statistic: Sum
    period: 1m
    evaluation_periods: 3
    threshold: 100
    comparison: GreaterThanThreshold
    actions: {alarm: [alarms], ok: [alarms]}
  - name: disk
    metric: {namespace: System, name: DiskSpaceUtilization, dimensions: {InstanceId: "i-*"}, unit: Percent}
    statistic: Maximum
    period: 1m
    evaluation_periods: 1
    threshold: 80
    comparison: GreaterThanThreshold
    forget_after: 1h
topics:
  - name: alarms
`

func newRig(t *testing.T) *rig {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [production]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "alarms.yaml"), []byte(rigStack), 0o644)
	st, diags := stack.Load(dir, stack.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Strings())
	}
	r := &rig{t: t, dir: t.TempDir(), now: t0, env: st.Env("production")}
	r.open()
	return r
}

// open (re)starts the metric store and the engine on the rig's files.
func (r *rig) open() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(r.dir, "state.db"))
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db.Close() })
	ms, err := metricstore.Open(ctx, metricstore.Options{Dir: filepath.Join(r.dir, "wal"), Backend: db, Now: func() time.Time { return r.now }})
	if err != nil {
		r.t.Fatal(err)
	}
	r.db, r.ms = db, ms
	r.eng = New(Options{Metrics: ms, Store: db, Now: func() time.Time { return r.now }, EvaluationDelay: time.Second,
		OnChange: func(c Change) { r.changes = append(r.changes, c) }})
	if err := r.eng.Configure(ctx, []*stack.Env{r.env}); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) push(name, dimName, dimValue string, unit metric.Unit, at time.Time, values ...float64) {
	ds := make([]metric.Datum, len(values))
	ns := "ELB"
	if name == "DiskSpaceUtilization" {
		ns = "System"
	}
	for i, v := range values {
		ds[i] = metric.Datum{Key: metric.SeriesKey{Env: "production", Namespace: ns, Name: name, Unit: unit, Dims: []metric.Dim{{Name: dimName, Value: dimValue}}},
			Time: at, Resolution: 60, Value: v, HasValue: true}
	}
	if err := r.ms.Ingest(context.Background(), ds); err != nil {
		r.t.Fatal(err)
	}
}

// run advances the clock minute by minute to until, evaluating as the loop would.
func (r *rig) run(until time.Time) {
	for r.now.Before(until) {
		r.now = r.now.Add(10 * time.Second)
		if err := r.eng.Cycle(context.Background()); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *rig) state(alarm, instance string) eval.State {
	r.t.Helper()
	_, insts, ok := r.eng.Alarm("production", alarm)
	if !ok {
		r.t.Fatalf("no alarm %s", alarm)
	}
	for _, in := range insts {
		if in.Instance == instance {
			return in.State
		}
	}
	return ""
}

// Story 1: a dead broker produces one error per connection attempt, many per minute. The
// Maximum alarm stays OK; the Sum alarm fires.
func TestStoryMaximumVersusSum(t *testing.T) {
	r := newRig(t)
	if s := r.state("broker-sum", ""); s != eval.InsufficientData {
		t.Fatalf("a new alarm starts in INSUFFICIENT_DATA, got %s", s)
	}
	for m := 0; m < 6; m++ {
		at := t0.Add(time.Duration(m) * time.Minute)
		ones := make([]float64, 150)
		for i := range ones {
			ones[i] = 1
		}
		r.push("BackendConnectionErrors", "LoadBalancerName", "broker", "Count", at.Add(5*time.Second), ones...)
	}
	r.run(t0.Add(6 * time.Minute))
	if s := r.state("broker-max", ""); s != eval.OK {
		t.Errorf("Maximum alarm: %s, want OK (the story)", s)
	}
	if s := r.state("broker-sum", ""); s != eval.Alarm {
		t.Errorf("Sum alarm: %s, want ALARM", s)
	}
	var sumChange *Change
	for i := range r.changes {
		if r.changes[i].Alarm == "broker-sum" && r.changes[i].New == eval.Alarm {
			sumChange = &r.changes[i]
		}
	}
	if sumChange == nil || !strings.Contains(sumChange.Reason, "3 out of the last 3 datapoints") || len(sumChange.Actions) != 1 {
		t.Fatalf("change: %+v", sumChange)
	}
	hist, err := r.eng.History(context.Background(), "production", "broker-sum", nil, time.Time{}, time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, h := range hist {
		types = append(types, h.Type)
	}
	if got := strings.Join(types, ","); !strings.Contains(got, "StateUpdate") || !strings.Contains(got, "Action") || !strings.Contains(got, "ConfigurationUpdate") {
		t.Errorf("history types: %s", got)
	}

	// A restart keeps states; no spurious transition and no repeated action follows.
	r.changes = nil
	r.open()
	r.run(r.now.Add(2 * time.Minute))
	if s := r.state("broker-sum", ""); s != eval.Alarm {
		t.Errorf("after restart: %s", s)
	}
	for _, c := range r.changes {
		if c.Alarm == "broker-sum" {
			t.Errorf("spurious transition after restart: %+v", c)
		}
	}
}

// Templates: one instance per series, created when the series appears, each with its own
// state, retired after forget_after of silence.
func TestTemplateInstances(t *testing.T) {
	r := newRig(t)
	r.push("DiskSpaceUtilization", "InstanceId", "i-1", "Percent", t0.Add(10*time.Second), 90)
	r.push("DiskSpaceUtilization", "InstanceId", "i-2", "Percent", t0.Add(10*time.Second), 50)
	r.push("DiskSpaceUtilization", "InstanceId", "web-1", "Percent", t0.Add(10*time.Second), 99)
	r.run(t0.Add(70 * time.Second))
	if s := r.state("disk", "InstanceId=i-1"); s != eval.Alarm {
		t.Errorf("i-1: %s", s)
	}
	if s := r.state("disk", "InstanceId=i-2"); s != eval.OK {
		t.Errorf("i-2: %s", s)
	}
	if s := r.state("disk", "InstanceId=web-1"); s != "" {
		t.Errorf("web-1 does not match i-*: %s", s)
	}
	if err := r.eng.SetState(context.Background(), "production", "disk", "InstanceId=i-2", eval.Alarm, "testing the pager"); err != nil {
		t.Fatal(err)
	}
	if s := r.state("disk", "InstanceId=i-2"); s != eval.Alarm {
		t.Errorf("set state: %s", s)
	}
	r.run(t0.Add(2*time.Hour + time.Minute))
	_, insts, _ := r.eng.Alarm("production", "disk")
	if len(insts) != 0 {
		t.Errorf("silent instances not retired after forget_after: %+v", insts)
	}
}
