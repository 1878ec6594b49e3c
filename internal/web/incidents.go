package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/store"
)

type incidentListData struct {
	Show      string // active (open and acknowledged) or all
	Incidents []store.Incident
	NextURL   string
}

// incidentPage is how many incidents a page lists.
const incidentPage = 100

// incidentList is GET /ui/env/{env}/incidents?show=active|all&before=ID.
func (u *UI) incidentList(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	d := &incidentListData{Show: q.Get("show")}
	iq := store.IncidentQuery{Environment: p.Env, Limit: incidentPage}
	switch d.Show {
	case "", "active":
		d.Show = "active"
		iq.States = []string{store.IncidentOpen, store.IncidentAcknowledged}
	case "all":
	default:
		return badRequest("show must be active or all.")
	}
	if v := q.Get("before"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return badRequest("before must be an incident number.")
		}
		iq.BeforeID = id
	}
	list, err := u.opts.Store.ListIncidents(r.Context(), iq)
	if err != nil {
		return err
	}
	d.Incidents = list
	if len(list) == incidentPage {
		d.NextURL = "?show=" + d.Show + "&before=" + strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	p.Title, p.Section, p.template, p.Data = "Incidents · "+p.Env, "incidents", "incidents", d
	return nil
}

type incidentDetailData struct {
	Inc           store.Incident
	Timeline      []store.TimelineEntry
	Notifications []notificationRow
}

type notificationRow struct {
	store.OutboxMessage
	Title string
}

// incidentDetail is GET /ui/env/{env}/incidents/{id}.
func (u *UI) incidentDetail(w http.ResponseWriter, r *http.Request, p *page) error {
	inc, err := u.incident(r, p)
	if err != nil {
		return err
	}
	d := &incidentDetailData{Inc: inc}
	if d.Timeline, err = u.opts.Store.Timeline(r.Context(), inc.ID); err != nil {
		return err
	}
	sent, err := u.opts.Store.ListOutbox(r.Context(), store.OutboxQuery{Environment: p.Env, IncidentID: inc.ID, Limit: 1000})
	if err != nil {
		return err
	}
	for _, m := range sent {
		row := notificationRow{OutboxMessage: m}
		var msg struct{ Title string }
		if json.Unmarshal(m.Message, &msg) == nil {
			row.Title = msg.Title
		}
		d.Notifications = append(d.Notifications, row)
	}
	p.Title, p.Section, p.template, p.Data = "Incident "+strconv.FormatInt(inc.ID, 10)+" · "+p.Env, "incidents", "incident", d
	return nil
}

func (u *UI) incident(r *http.Request, p *page) (store.Incident, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.Incident{}, errNotFound
	}
	inc, err := u.opts.Store.GetIncident(r.Context(), p.Env, id)
	if errors.Is(err, store.ErrNotFound) {
		return inc, errNotFound
	}
	return inc, err
}

// incidentAction is POST /ui/env/{env}/incidents/{id}/{ack|resolve}.
func (u *UI) incidentAction(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	by := p.P.Name + " (UI)"
	var done string
	switch r.PathValue("action") {
	case "ack":
		done = "acknowledged"
		_, err = u.opts.Notifier.Acknowledge(r.Context(), p.Env, id, by)
	case "resolve":
		done = "resolved"
		_, err = u.opts.Notifier.Resolve(r.Context(), p.Env, id, by)
	default:
		return errNotFound
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, notify.ErrIncidentClosed):
		return &httpError{http.StatusConflict, "This incident is already resolved."}
	case err != nil:
		return err
	}
	return redirect(w, r, envPath(p.Env, "incidents/"+strconv.FormatInt(id, 10)), done)
}
