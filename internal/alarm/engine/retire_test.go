package engine

import (
	"context"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// An instance-termination event retires the matching template instances at once; the
// instance stays retired while its series is silent and comes back when it reports again.
func TestRetireInstancesByEvent(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for _, id := range []string{"i-1", "i-2"} {
		r.push("DiskSpaceUtilization", "InstanceId", id, "Percent", t0.Add(10*time.Second), 90)
	}
	r.run(t0.Add(70 * time.Second))
	ids, err := r.eng.RetireInstances(ctx, "production", "disk", map[string]string{"InstanceId": "i-1"}, "instance terminated")
	if err != nil || len(ids) != 1 || ids[0] != "InstanceId=i-1" {
		t.Fatalf("retired %v, %v", ids, err)
	}
	if s := r.state("disk", "InstanceId=i-1"); s != "" {
		t.Errorf("i-1 still there in %s", s)
	}
	if s := r.state("disk", "InstanceId=i-2"); s == "" {
		t.Error("i-2 was retired too")
	}
	// Its series is still in the hot window: rediscovery must not bring it back.
	r.run(t0.Add(5 * time.Minute))
	if s := r.state("disk", "InstanceId=i-1"); s != "" {
		t.Errorf("i-1 came back without new data in %s", s)
	}
	hist, err := r.db.ListHistory(ctx, store.HistoryQuery{Environment: "production", Alarm: "disk", Type: "ConfigurationUpdate"})
	if err != nil || len(hist) == 0 || hist[0].Summary != "Alarm instance disk[InstanceId=i-1] retired: instance terminated" {
		t.Errorf("history: %+v %v", hist, err)
	}
	if states, _ := r.db.LoadAlarmStates(ctx, "production"); len(states) == 0 {
		t.Error("no states at all")
	} else {
		for _, s := range states {
			if s.Alarm == "disk" && s.Instance == "InstanceId=i-1" {
				t.Error("the retired state is still stored")
			}
		}
	}
	// New data after the retirement: the instance is back.
	r.push("DiskSpaceUtilization", "InstanceId", "i-1", "Percent", r.now, 95)
	r.run(r.now.Add(2 * time.Minute))
	if s := r.state("disk", "InstanceId=i-1"); s == "" {
		t.Error("i-1 did not come back with new data")
	}
	if _, err := r.eng.RetireInstances(ctx, "production", "broker-sum", map[string]string{"LoadBalancerName": "broker"}, "x"); err != ErrNoAlarm {
		t.Errorf("a plain alarm is not a template: %v", err)
	}
	if ids, err := r.eng.RetireInstances(ctx, "production", "disk", nil, "x"); err != nil || len(ids) != 0 {
		t.Errorf("no dimensions must retire nothing: %v %v", ids, err)
	}
}
