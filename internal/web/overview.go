package web

import (
	"net/http"
	"sort"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/store"
)

// stateCounts counts instances by state.
type stateCounts struct{ Alarm, OK, Insufficient, Total int }

func (c *stateCounts) add(s eval.State) {
	c.Total++
	switch s {
	case eval.Alarm:
		c.Alarm++
	case eval.OK:
		c.OK++
	default:
		c.Insufficient++
	}
}

type envOverview struct {
	Env          string
	Counts       stateCounts
	Alarming     []engine.Instance // the first few in ALARM, longest in ALARM first
	MoreAlarming int
	Incidents    []store.Incident // open and acknowledged
	Silences     int              // in effect now
	Events       []store.EventRecord
}

type overviewData struct {
	Envs   []envOverview
	Reload *store.ReloadRecord
}

// overviewAlarms is how many alarms in ALARM the overview lists per environment.
const overviewAlarms = 10

// overview is GET /ui/: every readable environment at a glance.
func (u *UI) overview(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	d := &overviewData{}
	if u.opts.LastReload != nil {
		if rec, ok := u.opts.LastReload(); ok {
			d.Reload = &rec
		}
	}
	for _, env := range p.Envs {
		o := envOverview{Env: env}
		for _, inst := range u.opts.Alarms.Instances(env, engine.Filter{}) {
			o.Counts.add(inst.State)
			if inst.State == eval.Alarm {
				o.Alarming = append(o.Alarming, inst)
			}
		}
		sort.SliceStable(o.Alarming, func(i, j int) bool { return o.Alarming[i].TransitionAt.Before(o.Alarming[j].TransitionAt) })
		if len(o.Alarming) > overviewAlarms {
			o.MoreAlarming = len(o.Alarming) - overviewAlarms
			o.Alarming = o.Alarming[:overviewAlarms]
		}
		var err error
		o.Incidents, err = u.opts.Store.ListIncidents(ctx, store.IncidentQuery{Environment: env,
			States: []string{store.IncidentOpen, store.IncidentAcknowledged}, Limit: 10})
		if err != nil {
			return err
		}
		silences, err := u.opts.Store.ListSilences(ctx, env, p.Now, false, 1000)
		if err != nil {
			return err
		}
		for _, s := range silences {
			if !p.Now.Before(s.StartsAt) {
				o.Silences++
			}
		}
		if o.Events, err = u.opts.Store.ListEvents(ctx, store.EventQuery{Environment: env, Limit: 5}); err != nil {
			return err
		}
		d.Envs = append(d.Envs, o)
	}
	p.Title, p.Section, p.template, p.Data = "Overview", "overview", "overview", d
	return nil
}
