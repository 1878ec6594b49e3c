package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
)

// alarmPageSize is how many rows the alarm list shows per page by default; limit=N
// (up to maxAlarmPage) asks for more.
const (
	alarmPageSize = 200
	maxAlarmPage  = 10000
)

type alarmRow struct {
	engine.Instance
	Name     string
	Flapping bool
}

type alarmListData struct {
	Rows             []alarmRow
	State, Q         string
	Counts           stateCounts // of the rows matching the name filter
	Matching         int         // rows matching both filters
	First, Last      int         // 1-based positions shown
	PrevURL, NextURL string
}

// alarmList is GET /ui/env/{env}/alarms?state&q&page&limit.
func (u *UI) alarmList(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	d := &alarmListData{State: q.Get("state"), Q: strings.TrimSpace(q.Get("q"))}
	switch eval.State(d.State) {
	case "", eval.OK, eval.Alarm, eval.InsufficientData:
	default:
		return badRequest("The state filter must be OK, ALARM or INSUFFICIENT_DATA.")
	}
	size, err := intQuery(q, "limit", alarmPageSize, 1, maxAlarmPage)
	if err != nil {
		return err
	}
	pageNo, err := intQuery(q, "page", 1, 1, 1<<30)
	if err != nil {
		return err
	}
	needle := strings.ToLower(d.Q)
	skip := (pageNo - 1) * size
	for _, inst := range u.opts.Alarms.Instances(p.Env, engine.Filter{}) {
		name := engine.InstanceName(inst.Alarm, inst.Instance)
		if needle != "" && !containsFold(name, needle) {
			continue
		}
		d.Counts.add(inst.State)
		if d.State != "" && inst.State != eval.State(d.State) {
			continue
		}
		d.Matching++
		if d.Matching > skip && len(d.Rows) < size {
			d.Rows = append(d.Rows, alarmRow{Instance: inst, Name: name})
		}
	}
	for i := range d.Rows {
		d.Rows[i].Flapping, _ = u.opts.Notifier.Flapping(p.Env, d.Rows[i].Name)
	}
	if len(d.Rows) > 0 {
		d.First, d.Last = skip+1, skip+len(d.Rows)
	}
	link := func(n int) string {
		v := url.Values{}
		for _, k := range []string{"state", "q", "limit"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		v.Set("page", strconv.Itoa(n))
		return "?" + v.Encode()
	}
	if pageNo > 1 {
		d.PrevURL = link(pageNo - 1)
	}
	if d.Matching > skip+size {
		d.NextURL = link(pageNo + 1)
	}
	p.Title, p.Section, p.template, p.Data = "Alarms · "+p.Env, "alarms", "alarms", d
	return nil
}

// containsFold reports whether s contains the lower-case needle, ignoring ASCII case
// without allocating (the list filters 10,000 names per request).
func containsFold(s, needle string) bool {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

func intQuery(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s must be a whole number from %d to %d.", name, lo, hi)
	}
	return n, nil
}

// setAlarmState is POST /ui/env/{env}/alarms/{name}/state (state, reason).
func (u *UI) setAlarmState(w http.ResponseWriter, r *http.Request, p *page) error {
	name := r.PathValue("name")
	state := eval.State(r.PostFormValue("state"))
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	switch state {
	case eval.OK, eval.Alarm, eval.InsufficientData:
	default:
		return badRequest("The state must be OK, ALARM or INSUFFICIENT_DATA.")
	}
	if reason == "" || len(reason) > 900 {
		return badRequest("Say why (a reason of at most 900 characters).")
	}
	alarm, instance := engine.ParseInstanceName(name)
	err := u.opts.Alarms.SetState(r.Context(), p.Env, alarm, instance, state, reason+" (set by "+p.P.Name+" in the UI)")
	if errors.Is(err, engine.ErrNoAlarm) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	return redirect(w, r, envPath(p.Env, "alarms/"+url.PathEscape(name)), "state")
}
