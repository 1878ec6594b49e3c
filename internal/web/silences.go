package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// maxSilence is the longest silence the UI creates, as the API allows: longer mutes
// belong in the stack as maintenance windows.
const maxSilence = 90 * 24 * time.Hour

type silenceRow struct {
	store.Silence
	M     notify.Matchers
	State string // active, pending, expired
}

// silenceForm is the create form's values (prefilled from the query, kept on error).
type silenceForm struct {
	Alarm, Dimensions, Duration, Comment string
}

type silenceListData struct {
	Expired  bool
	Silences []silenceRow
	Form     silenceForm
}

// silenceList is GET /ui/env/{env}/silences?expired=true&alarm=&dim=Name=Value…
// (alarm and dim prefill the form, as the alarm page's "Silence" link does).
func (u *UI) silenceList(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	form := silenceForm{Alarm: q.Get("alarm"), Dimensions: strings.Join(q["dim"], "\n"), Duration: "2h"}
	return u.silencePage(r, p, q.Get("expired") == "true", form)
}

func (u *UI) silencePage(r *http.Request, p *page, expired bool, form silenceForm) error {
	list, err := u.opts.Store.ListSilences(r.Context(), p.Env, p.Now, expired, 200)
	if err != nil {
		return err
	}
	d := &silenceListData{Expired: expired, Form: form}
	for _, s := range list {
		row := silenceRow{Silence: s, State: "active"}
		json.Unmarshal(s.Matchers, &row.M)
		switch {
		case !p.Now.Before(s.EndsAt):
			row.State = "expired"
		case p.Now.Before(s.StartsAt):
			row.State = "pending"
		}
		d.Silences = append(d.Silences, row)
	}
	p.Title, p.Section, p.template, p.Data = "Silences · "+p.Env, "silences", "silences", d
	return nil
}

// createSilence is POST /ui/env/{env}/silences (alarm, dimensions, duration, comment).
func (u *UI) createSilence(w http.ResponseWriter, r *http.Request, p *page) error {
	form := silenceForm{Alarm: strings.TrimSpace(r.PostFormValue("alarm")), Dimensions: r.PostFormValue("dimensions"),
		Duration: strings.TrimSpace(r.PostFormValue("duration")), Comment: strings.TrimSpace(r.PostFormValue("comment"))}
	m, end, problem := parseSilence(form, p.Now)
	if problem != "" {
		p.Error = problem
		return u.silencePage(r, p, false, form)
	}
	matchers, _ := json.Marshal(m)
	s := store.Silence{Environment: p.Env, Matchers: matchers, StartsAt: p.Now.UTC(), EndsAt: end.UTC(),
		CreatedBy: p.P.Name, Comment: form.Comment, CreatedAt: p.Now.UTC()}
	if _, err := u.opts.Store.AddSilence(r.Context(), s); err != nil {
		return err
	}
	u.opts.Notifier.SilencesChanged()
	return redirect(w, r, envPath(p.Env, "silences"), "silenced")
}

// parseSilence checks the form as the API checks its body; problem is "" when valid.
func parseSilence(f silenceForm, now time.Time) (m notify.Matchers, end time.Time, problem string) {
	m.Alarm = f.Alarm
	for _, line := range strings.FieldsFunc(f.Dimensions, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return m, end, "Write each dimension as Name=value (the value may be a glob), one per line."
		}
		if m.Dimensions == nil {
			m.Dimensions = map[string]string{}
		}
		m.Dimensions[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if _, err := m.Compile(); err != nil {
		if errors.Is(err, notify.ErrNoMatchers) {
			return m, end, "Say what to silence: an alarm name (or glob) or dimensions."
		}
		return m, end, err.Error()
	}
	d, err := stack.ParseDuration(f.Duration)
	if err != nil || d <= 0 {
		return m, end, "The duration must be such as 30m, 2h or 3d."
	}
	if d.Std() > maxSilence {
		return m, end, "A silence may last at most 90 days; use a maintenance window in the stack for longer."
	}
	if f.Comment == "" || len(f.Comment) > 1024 {
		return m, end, "Say why in the comment (at most 1024 characters)."
	}
	return m, now.Add(d.Std()), ""
}

// expireSilence is POST /ui/env/{env}/silences/{id}/expire: it ends now.
func (u *UI) expireSilence(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	if err := u.opts.Store.ExpireSilence(r.Context(), p.Env, id, p.Now.UTC()); errors.Is(err, store.ErrNotFound) {
		return errNotFound
	} else if err != nil {
		return err
	}
	u.opts.Notifier.SilencesChanged()
	return redirect(w, r, envPath(p.Env, "silences"), "expired")
}
