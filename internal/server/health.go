package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tocsin/tocsin/internal/loop"
	"github.com/tocsin/tocsin/internal/store"
)

// healthReport is GET /health: alive, the store answers, and every loop completed a
// cycle within StallFactor intervals.
type healthReport struct {
	Status    string                 `json:"status"` // "ok" or "fail"
	Version   string                 `json:"version"`
	BuildTime string                 `json:"build_time"`
	StoreOK   bool                   `json:"store_ok"`
	ConfigOK  bool                   `json:"config_ok"`
	Loops     map[string]loop.Status `json:"loops"`
	Failing   []string               `json:"failing,omitempty"`
}

func (s *Server) health(ctx context.Context) healthReport {
	h := healthReport{Status: "ok", Version: s.opts.Version, BuildTime: s.opts.BuildTime, Loops: map[string]loop.Status{}}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.store.Ping(pctx); err != nil {
		h.Failing = append(h.Failing, "store: "+err.Error())
	} else {
		h.StoreOK = true
	}
	if err := s.metricStore.Err(); err != nil {
		h.Failing = append(h.Failing, "metric store: "+err.Error())
	}
	// A configuration is always applied once New succeeded; a failed reload keeps it.
	h.ConfigOK = s.cfg.get() != nil
	if !h.ConfigOK {
		h.Failing = append(h.Failing, "config: no configuration applied")
	}
	for _, st := range s.loops.Statuses() {
		h.Loops[st.Name] = st
		if !st.OK {
			h.Failing = append(h.Failing, "loop "+st.Name+": "+st.Problem)
		}
	}
	if len(h.Failing) > 0 {
		h.Status = "fail"
	}
	return h
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	h := s.health(r.Context())
	writeJSON(w, statusOf(len(h.Failing) == 0), h)
}

func statusOf(ok bool) int {
	if ok {
		return http.StatusOK
	}
	return http.StatusServiceUnavailable
}

// smokeTest is one check of GET /test.
type smokeTest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Success     bool   `json:"success"`
	Error       string `json:"error,omitempty"`
}

// handleTest is GET /test: a deep smoke test that exercises the real paths.
func (s *Server) handleTest(w http.ResponseWriter, r *http.Request) {
	h := s.health(r.Context())
	tests := []smokeTest{s.testStore(r.Context()), s.testLastReload(), s.testIngestQuery(r.Context()), s.testEventRoundTrip(r.Context()), s.testNotification(r.Context())}
	ok := len(h.Failing) == 0
	for _, t := range tests {
		ok = ok && t.Success
	}
	writeJSON(w, statusOf(ok), map[string]any{"health": h, "tests": tests})
}

func (s *Server) testStore(ctx context.Context) smokeTest {
	t := smokeTest{Name: "store_write_read", Description: "write a probe row to the state store and read it back"}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	want := strconv.FormatInt(s.opts.Now().UnixNano(), 10)
	if err := s.store.WriteProbe(ctx, "smoke-test", want); err != nil {
		t.Error = "write: " + err.Error()
		return t
	}
	got, err := s.store.ReadProbe(ctx, "smoke-test")
	switch {
	case err != nil:
		t.Error = "read: " + err.Error()
	case got != want:
		t.Error = fmt.Sprintf("read back %q, wrote %q", got, want)
	default:
		t.Success = true
	}
	return t
}

func (s *Server) testLastReload() smokeTest {
	t := smokeTest{Name: "last_reload", Description: "the last load of the stack succeeded"}
	rec := s.cfg.lastLoad.Load()
	if rec == nil {
		t.Error = "no load recorded"
		return t
	}
	t.Success = rec.OK
	if !rec.OK {
		t.Error = fmt.Sprintf("reload (%s) at %s failed; the previous configuration keeps running: %s",
			rec.Trigger, rec.At.Format(time.RFC3339), joinErrors(rec.Errors))
	}
	return t
}

func joinErrors(errs []string) string {
	const max = 20
	out := ""
	for i, e := range errs {
		if i == max {
			out += fmt.Sprintf("; and %d more", len(errs)-max)
			break
		}
		if i > 0 {
			out += "; "
		}
		out += e
	}
	return out
}

func toResult(rec store.ReloadRecord) reloadResult {
	errs := rec.Errors
	if errs == nil {
		errs = []string{}
	}
	return reloadResult{ID: rec.ID, At: rec.At.Format(time.RFC3339Nano), Trigger: rec.Trigger, OK: rec.OK, Errors: errs, Checksum: rec.Checksum}
}
