package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/event"
	"github.com/tocsin/tocsin/internal/event/rules"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

const testStack = `event_rules:
  - name: every-5-minutes
    schedule: rate(5 minutes)
    targets: [{annotate: {text: "tick <$.time>"}}]
  - name: weekday-mornings
    schedule: cron(30 7 ? * MON-FRI *)
    targets: [{annotate: {text: "morning"}}]
  - name: off
    schedule: rate(1 minute)
    state: disabled
    targets: [{annotate: {text: "never"}}]
  - name: deploys
    event_pattern: {source: [ci], detail: {state: [SUCCESS]}}
    targets:
      - annotate: {text: "deployed <$.detail.app>", dimensions: {Service: "<$.detail.app>"}}
      - topic: news
  - name: terminated
    event_pattern: {source: [aws.ec2], detail: {state: [terminated]}}
    targets:
      - retire_alarm_instances: {alarm: disk, dimensions: {InstanceId: $.detail.instance-id}}
alarms:
  - name: disk
    metric: {namespace: S, name: Disk, unit: Percent, dimensions: {InstanceId: "*"}}
    statistic: Maximum
    period: 1m
    evaluation_periods: 1
    threshold: 90
    comparison: GreaterThanThreshold
    actions: {alarm: [news]}
topics:
  - name: news
`

type rig struct {
	db      *sqlite.DB
	p       *Pipeline
	set     *rules.Set
	now     time.Time
	retired []string
}

func newRig(t testing.TB) *rig {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [production]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "stack.yaml"), []byte(testStack), 0o644)
	st, diags := stack.Load(dir, stack.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Strings())
	}
	set, err := rules.Build(st.Envs)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rig{db: db, set: set, now: time.Date(2026, 11, 16, 7, 0, 0, 0, time.UTC)} // a Monday
	r.p = New(Options{Store: db, Rules: func() *rules.Set { return r.set }, Now: func() time.Time { return r.now },
		Retire: func(_ context.Context, env, alarm string, dims map[string]string, why string) ([]string, error) {
			r.retired = append(r.retired, env+"/"+alarm+"/"+dims["InstanceId"])
			return []string{"InstanceId=" + dims["InstanceId"]}, nil
		}})
	return r
}

func (r *rig) annotations(t *testing.T) []store.Annotation {
	t.Helper()
	list, err := r.db.ListAnnotations(context.Background(), store.AnnotationQuery{Environment: "production", From: time.Unix(0, 0), To: r.now.Add(time.Hour), Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// Events are stored with the rules they matched; targets annotate, enqueue deliveries
// and retire, all before Accept returns.
func TestAcceptRoutesThroughRules(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	mk := func(source string, detail any) event.Envelope {
		ev, err := event.New("production", source, "T", r.now, nil, detail)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	res, err := r.p.Accept(ctx, []event.Envelope{
		mk("ci", map[string]string{"state": "SUCCESS", "app": "api"}),
		mk("ci", map[string]string{"state": "FAILURE", "app": "api"}),
		mk("aws.ec2", map[string]string{"state": "terminated", "instance-id": "i-9"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Rules) != 1 || res[0].Rules[0] != "deploys" || len(res[1].Rules) != 0 || res[2].Rules[0] != "terminated" {
		t.Errorf("results: %+v", res)
	}
	an := r.annotations(t)
	if len(an) != 1 || an[0].Text != "deployed api" || an[0].Dimensions["Service"] != "api" || an[0].EventID != res[0].ID || an[0].Rule != "deploys" {
		t.Errorf("annotations: %+v", an)
	}
	due, _ := r.db.DueDeliveries(ctx, r.now, 10)
	if len(due) != 1 || due[0].Kind != rules.KindTopic || due[0].Rule != "deploys" || due[0].EventID != res[0].ID {
		t.Errorf("deliveries: %+v", due)
	}
	if len(r.retired) != 1 || r.retired[0] != "production/disk/i-9" {
		t.Errorf("retired: %v", r.retired)
	}
	stored, err := r.db.ListEvents(ctx, store.EventQuery{Environment: "production"})
	if err != nil || len(stored) != 3 {
		t.Fatalf("stored: %d %v", len(stored), err)
	}
	if st := r.p.Stats(); st.Events.Load() != 3 || st.Matches.Load() != 2 || st.Retired.Load() != 1 || st.Annotations.Load() != 1 {
		t.Errorf("stats: %+v", st)
	}
}

// Scheduled rules fire at their times under a fake clock: a rate starts when the rule is
// first seen; cron fires on weekday mornings only; disabled rules never fire; each firing
// is stored as a "Scheduled Event" with the rule as its resource.
func TestSchedulesFireOnTime(t *testing.T) {
	r := newRig(t)
	s := NewScheduler(r.p)
	ctx := context.Background()
	start := r.now
	for i := 0; i <= 3*24*60*6; i++ { // three days, every 10 s
		r.now = start.Add(time.Duration(i) * 10 * time.Second)
		if _, err := s.Tick(ctx, r.set, r.now); err != nil {
			t.Fatal(err)
		}
	}
	var ticks, mornings int
	for _, a := range r.annotations(t) {
		switch {
		case a.Text == "morning":
			mornings++
			if a.Time.Hour() != 7 || a.Time.Minute() != 30 || a.Time.Second() != 0 {
				t.Errorf("morning at %s", a.Time)
			}
		case a.Text == "never":
			t.Errorf("a disabled rule fired at %s", a.Time)
		default:
			ticks++
			if a.Time.Sub(start)%(5*time.Minute) != 0 || a.Time.Equal(start) {
				t.Errorf("rate firing at %s", a.Time)
			}
		}
	}
	if ticks != 3*24*12 || mornings != 3 {
		t.Errorf("%d rate firings (want %d), %d mornings (want 3: Mon-Wed)", ticks, 3*24*12, mornings)
	}
	evs, _ := r.db.ListEvents(ctx, store.EventQuery{Environment: "production", Limit: 1})
	if len(evs) != 1 || evs[0].DetailType != "Scheduled Event" || evs[0].Source != "tocsin.events" || evs[0].Rules[0] == "" {
		t.Errorf("scheduled event: %+v", evs)
	}
	// After a long pause (Thursday 07:00 to 08:00) each rule fires once, not once per
	// missed time: the rate rule and Thursday's 07:30.
	r.now = r.now.Add(time.Hour)
	n, _ := s.Tick(ctx, r.set, r.now)
	if n != 2 {
		t.Errorf("%d firings after an hour's pause, want 2", n)
	}
}

// Concurrent Accept calls share transactions (group commit); every event is stored once
// and each caller learns its own result.
func TestConcurrentAcceptsGroupCommit(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	ids := make([][]Result, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				batch := make([]event.Envelope, 50)
				for j := range batch {
					batch[j], _ = event.New("production", "ci", "T", r.now, nil, map[string]any{"state": "SUCCESS", "app": w})
				}
				res, err := r.p.Accept(ctx, batch)
				if err != nil {
					t.Error(err)
					return
				}
				ids[w] = append(ids[w], res...)
			}
		}(w)
	}
	wg.Wait()
	if n := r.p.Stats().Events.Load(); n != 4000 {
		t.Fatalf("%d events stored", n)
	}
	for w := range ids {
		for _, res := range ids[w][:5] {
			rec, err := r.db.GetEvent(ctx, "production", res.ID)
			if err != nil || len(rec.Rules) != 1 {
				t.Errorf("%s: %+v %v", res.ID, rec.Rules, err)
			}
		}
	}
	if an := r.annotations(t); len(an) != 4000 {
		t.Errorf("%d annotations", len(an))
	}
}
