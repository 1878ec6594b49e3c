package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// RunAlarms is the contract suite of store.Alarms. open must return an empty store.
func RunAlarms(t *testing.T, open func(t *testing.T) store.Alarms) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 123456000, time.UTC)
	t.Run("states", func(t *testing.T) {
		a := open(t)
		st := store.AlarmState{Environment: "prod", Alarm: "disk", Instance: "InstanceId=i-1", State: "ALARM", Reason: "r",
			ReasonData: []byte(`{"a":1}`), UpdatedAt: t0, TransitionAt: t0.Add(-time.Minute), Extra: []byte(`{}`)}
		other := store.AlarmState{Environment: "staging", Alarm: "disk", State: "OK", Reason: "x", UpdatedAt: t0, TransitionAt: t0}
		if err := a.SaveAlarmStates(ctx, []store.AlarmState{st, other}, nil); err != nil {
			t.Fatal(err)
		}
		st.State, st.Reason = "OK", "back"
		if err := a.SaveAlarmStates(ctx, []store.AlarmState{st}, nil); err != nil {
			t.Fatal(err)
		}
		got, err := a.LoadAlarmStates(ctx, "prod")
		if err != nil || len(got) != 1 || got[0].State != "OK" || got[0].Reason != "back" || !got[0].UpdatedAt.Equal(t0) ||
			!got[0].TransitionAt.Equal(t0.Add(-time.Minute)) || string(got[0].ReasonData) != `{"a":1}` {
			t.Fatalf("load: %+v %v", got, err)
		}
		if err := a.DeleteAlarmStates(ctx, "prod", "disk", []string{"InstanceId=i-1"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := a.LoadAlarmStates(ctx, "prod"); len(got) != 0 {
			t.Fatalf("after delete: %+v", got)
		}
	})
	t.Run("history", func(t *testing.T) {
		a := open(t)
		var items []store.HistoryItem
		for i := 0; i < 5; i++ {
			items = append(items, store.HistoryItem{Environment: "prod", Alarm: "cpu", At: t0.Add(time.Duration(i) * time.Minute), Type: "StateUpdate", Summary: "s", Data: []byte("{}")})
		}
		items = append(items, store.HistoryItem{Environment: "prod", Alarm: "cpu", Instance: "i", At: t0, Type: "Action", Summary: "a"},
			store.HistoryItem{Environment: "staging", Alarm: "cpu", At: t0, Type: "StateUpdate", Summary: "s"})
		if err := a.SaveAlarmStates(ctx, nil, items); err != nil {
			t.Fatal(err)
		}
		none := ""
		got, err := a.ListHistory(ctx, store.HistoryQuery{Environment: "prod", Alarm: "cpu", Instance: &none, Limit: 3})
		if err != nil || len(got) != 3 || !got[0].At.Equal(t0.Add(4*time.Minute)) {
			t.Fatalf("newest first, limited: %+v %v", got, err)
		}
		if got, _ := a.ListHistory(ctx, store.HistoryQuery{Environment: "prod", Type: "Action"}); len(got) != 1 || got[0].Instance != "i" {
			t.Fatalf("by type: %+v", got)
		}
		if got, _ := a.ListHistory(ctx, store.HistoryQuery{Environment: "prod", From: t0.Add(time.Minute), To: t0.Add(3 * time.Minute)}); len(got) != 2 {
			t.Fatalf("range: %+v", got)
		}
		n, err := a.PruneHistory(ctx, t0.Add(2*time.Minute))
		if err != nil || n != 4 {
			t.Fatalf("prune: %d %v", n, err)
		}
	})
}
