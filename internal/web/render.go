package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates in templates/, each parsed together with base.html.
var pageNames = []string{"login", "error", "overview", "alarms", "alarm", "incidents", "incident", "silences",
	"metrics", "events", "event", "parity"}

type pageTemplate struct {
	t    *template.Template
	live bool // defines a live region that auto-refresh fetches alone
}

// page is what every template sees as its dot.
type page struct {
	Title   string
	Section string // nav entry: overview, alarms, incidents, silences, metrics, events, parity
	P       *Principal
	CSRF    string
	Envs    []string // environments the principal may read
	Env     string   // the current environment; "" on cross-environment pages
	Now     time.Time
	Next    string // login: where to go after
	Error   string // a problem to show (form validation)
	Notice  string // a confirmation after a form (Post/Redirect/Get)
	Charts  bool   // load uPlot
	Data    any
	// Status overrides the response status (a form field's error shown beside it).
	Status int

	template string
	ui       *UI
	session  *session
	query    url.Values // for EnvURL
}

// Since is how long ago t was, relative to the page's time: "3h 12m".
func (p *page) Since(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return humanDuration(p.Now.Sub(t))
}

// EnvURL is the current section in another environment (the environment switcher).
func (p *page) EnvURL(env string) string {
	section := p.Section
	if section == "" || section == "overview" || section == "parity" {
		section = "alarms"
	}
	return envPath(env, section)
}

// HasMetrics reports whether the metrics explorer is there (for the nav).
func (p *page) HasMetrics() bool {
	return p.ui != nil && p.ui.opts.ListMetrics != nil && p.ui.opts.Metrics != nil
}

// HasParity reports whether the parity page is there (for the nav).
func (p *page) HasParity() bool { return p.ui != nil && p.ui.opts.Parity != nil }

// NavEnv is the environment the section links go to: the current one, else the first.
func (p *page) NavEnv() string {
	if p.Env != "" || len(p.Envs) == 0 {
		return p.Env
	}
	return p.Envs[0]
}

// CanWrite reports whether the viewer may use the current environment's forms.
func (p *page) CanWrite() bool {
	return p.P != nil && !p.P.Anonymous && p.Env != "" && p.P.Can(scopeWrite, p.Env)
}

func envPath(env, rest string) string {
	return Prefix + "/env/" + url.PathEscape(env) + "/" + rest
}

func humanDuration(d time.Duration) string {
	if d < 0 {
		return "in " + humanDuration(-d)
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
}

func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": u.assets.url,
		"ts":    timeTag,
		"state": func(s any) string { return "st-" + strings.ToLower(fmt.Sprint(s)) },
		"alarmURL": func(env, name string) string {
			return envPath(env, "alarms/"+url.PathEscape(name))
		},
		"envURL": envPath,
		"eventURL": func(env, id string) string {
			return envPath(env, "events/"+url.PathEscape(id))
		},
		"trunc": func(s string, n int) string {
			if len(s) <= n {
				return s
			}
			cut := n
			for cut > 0 && !utf8Start(s[cut]) {
				cut--
			}
			return s[:cut] + "…"
		},
		"spark":      sparkline,
		"histReason": historyReason,
		"instName":   func(i engine.Instance) string { return engine.InstanceName(i.Alarm, i.Instance) },
	}
}

// historyReason is the reason text of a StateUpdate history item, "" for others.
func historyReason(data []byte) string {
	var d struct {
		New struct {
			Reason string `json:"stateReason"`
		} `json:"newState"`
	}
	if len(data) == 0 || json.Unmarshal(data, &d) != nil {
		return ""
	}
	return d.New.Reason
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// timeTag renders a time as <time> in UTC; app.js shows it in the viewer's zone.
func timeTag(t time.Time) template.HTML {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339) + `" title="` + t.Format("2006-01-02 15:04:05") + ` UTC">` +
		t.Format("2006-01-02 15:04:05") + ` UTC</time>`)
}

func (u *UI) parseTemplates() map[string]*pageTemplate {
	out := map[string]*pageTemplate{}
	for _, name := range pageNames {
		t := template.Must(template.New(name).Funcs(u.funcs()).ParseFS(templateFS, "templates/base.html", "templates/"+name+".html"))
		out[name] = &pageTemplate{t: t, live: t.Lookup("live") != nil}
	}
	return out
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// LiveHeader asks for the live region of a page only (auto-refresh).
const LiveHeader = "X-Tocsin-Live"

// render executes a page (or only its live region when app.js asks) and writes it.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, p *page) {
	pt := u.pages[p.template]
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	name := "base"
	if pt.live && r.Header.Get(LiveHeader) != "" {
		name = "liveregion"
	}
	if err := pt.t.ExecuteTemplate(buf, name, p); err != nil {
		u.log.Error("ui template", "page", p.template, "err", err)
		http.Error(w, "the page could not be rendered; see the server log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeBody(w, r, status, "text/html; charset=utf-8", buf.Bytes())
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// writeBody writes body, gzipped when the client accepts it and it is worth it.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	if len(body) < 1024 || !acceptsGzip(r) {
		h.Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(status)
		w.Write(body)
		return
	}
	h.Set("Content-Encoding", "gzip")
	w.WriteHeader(status)
	gz := gzipPool.Get().(*gzip.Writer)
	gz.Reset(w)
	gz.Write(body)
	gz.Close()
	gzipPool.Put(gz)
}

// httpError is an error page with a status.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

var (
	errNotFound  = &httpError{http.StatusNotFound, "There is nothing here, or you may not see it."}
	errForbidden = &httpError{http.StatusForbidden, "Your token may not do that here."}
)

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func (u *UI) renderError(w http.ResponseWriter, r *http.Request, p *page, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		u.log.Error("ui", "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusInternalServerError, "Something went wrong; see the server log."}
	}
	p.Title, p.Error, p.template, p.Data = http.StatusText(he.status), he.msg, "error", nil
	u.render(w, r, he.status, p)
}
