package server

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// TestFlappingSurvivesARestart: flapping detection is rebuilt at start from the alarm
// history, counting changes with actions (one per change, however many actions it had).
func TestFlappingSurvivesARestart(t *testing.T) {
	now := time.Now().UTC()
	data := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "tocsin.db"))
	if err != nil {
		t.Fatal(err)
	}
	var history []store.HistoryItem
	changes := func(alarm string, n int) {
		for i := range n {
			at := now.Add(time.Duration(i-n) * time.Minute)
			for _, topic := range []string{"alarms", "notifications"} { // two actions: one change
				history = append(history, store.HistoryItem{Environment: "production", Alarm: alarm, At: at, Type: "Action",
					Summary: "Action for ALARM: " + topic + " notified", Data: []byte(`{}`)})
			}
		}
	}
	changes("api-5xx-errors", 7)  // more than the default 6 within the hour: flapping
	changes("api-low-traffic", 4) // 8 action items, 4 changes: steady
	if err := db.SaveAlarmStates(t.Context(), nil, history); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	ts := start(t, quickstart, func(o *Options) { o.DataDir = data })
	for alarm, want := range map[string]bool{"api-5xx-errors": true, "api-low-traffic": false} {
		code, body := ts.call(t, "GET", "/api/v1/environments/production/alarms/"+alarm, adminTok, "")
		insts, _ := body["instances"].([]any)
		if code != 200 || len(insts) != 1 {
			t.Fatalf("GET %s: %d %v", alarm, code, body)
		}
		if got := insts[0].(map[string]any)["flapping"]; got != want {
			t.Errorf("%s after the restart: flapping %v, want %v", alarm, got, want)
		}
	}
}
