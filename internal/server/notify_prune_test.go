package server

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// The notify-prune loop (first cycle at start) deletes, past server.notifications.retention
// (default 14d), resolved incidents with their timelines and ended silences, and keeps
// the recent ones.
func TestNotifyPruneIncidentsAndSilences(t *testing.T) {
	now := time.Now().UTC()
	data := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "tocsin.db"))
	if err != nil {
		t.Fatal(err)
	}
	resolved := func(key string, at time.Time) int64 {
		t.Helper()
		inc, _, err := db.OpenIncident(t.Context(), store.Incident{Environment: "production", Key: key, Source: "alarm",
			Title: key, OpenedAt: at.Add(-time.Hour), UpdatedAt: at.Add(-time.Hour)},
			store.TimelineEntry{At: at.Add(-time.Hour), Kind: "opened", Text: "Opened"})
		if err != nil {
			t.Fatal(err)
		}
		inc.State, inc.ResolvedAt, inc.ResolvedBy, inc.UpdatedAt = store.IncidentResolved, at, "tocsin", at
		if err := db.UpdateIncident(t.Context(), inc, []store.TimelineEntry{{At: at, Kind: "resolved", Text: "Resolved"}}, nil); err != nil {
			t.Fatal(err)
		}
		return inc.ID
	}
	silence := func(from, to time.Time) int64 {
		t.Helper()
		id, err := db.AddSilence(t.Context(), store.Silence{Environment: "production", Matchers: []byte(`[]`),
			StartsAt: from, EndsAt: to, CreatedBy: "test", CreatedAt: from})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	oldInc, recentInc := resolved("old", now.Add(-30*24*time.Hour)), resolved("recent", now.Add(-time.Hour))
	oldSilence, activeSilence := silence(now.Add(-21*24*time.Hour), now.Add(-20*24*time.Hour)), silence(now.Add(-time.Hour), now.Add(time.Hour))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	ts := start(t, quickstart, func(o *Options) { o.DataDir = data })
	incident := func(id int64) int {
		code, _ := ts.call(t, "GET", fmt.Sprintf("/api/v1/environments/production/incidents/%d", id), adminTok, "")
		return code
	}
	eventually(t, "the old incident to be pruned", func() bool { return incident(oldInc) == 404 })
	if code := incident(recentInc); code != 200 {
		t.Errorf("GET the recently resolved incident: %d, want 200", code)
	}
	code, list := ts.call(t, "GET", "/api/v1/environments/production/silences?expired=true", adminTok, "")
	silences, _ := list["silences"].([]any)
	var ids []int64
	for _, s := range silences {
		id, _ := s.(map[string]any)["id"].(float64)
		ids = append(ids, int64(id))
	}
	if code != 200 || len(ids) != 1 || ids[0] != activeSilence {
		t.Errorf("silences after the prune: %d %v; want only the active one (%d), not the one ended 20 days ago (%d)",
			code, list, activeSilence, oldSilence)
	}
}
