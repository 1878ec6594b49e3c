package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/engine"
	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store"
)

// Prefix is where the UI is mounted; every URL it makes starts with it.
const Prefix = "/ui"

// Options are the UI's dependencies: narrow interfaces and functions that the server
// fills with its engine, store and notifier (tests with fakes). Zero values are safe
// where the field says so; the required ones make New panic when missing.
type Options struct {
	// Authenticate verifies a token (required): the token's name, its scopes per
	// environment (nil for the admin), whether it is the admin token, and ok. It is
	// called at sign-in and again on every request, so a token removed from the stack
	// ends its sessions at once.
	Authenticate func(token string) (name string, scopes map[string][]string, admin bool, ok bool)
	// SignIn, when set, is what the sign-in form checks a typed token with instead of
	// Authenticate: the server's check behind its limit on wrong credentials per client
	// address. wait > 0 means r's address must wait that long before trying another token.
	SignIn func(r *http.Request, token string) (p *Principal, wait time.Duration)
	// Environments lists the served environments in order (required).
	Environments func() []string
	Alarms       Alarms   // required; *engine.Engine satisfies it
	Store        Store    // required; store.Store satisfies it
	Notifier     Notifier // required; *notify.Notifier satisfies it
	// Metrics answers chart queries; nil shows no charts. *metricstore.Store satisfies it.
	Metrics Metrics
	// ListMetrics lists an environment's series, sorted, at most limit, and whether more
	// exist (*metricstore.Store's ListMetrics): the metrics explorer offers namespaces,
	// metrics and dimensions from it. nil (or a nil Metrics) leaves the explorer out.
	ListMetrics func(f metricstore.MetricFilter, limit int) ([]metricstore.SeriesInfo, bool)
	// Parity returns the environment × resource matrix of the loaded stack compared with
	// what this server applies in each environment (as `tocsin parity --live` does). nil
	// leaves the parity page out.
	Parity func() (*stack.Report, error)
	// LastReload returns the last configuration load; nil shows none.
	LastReload func() (store.ReloadRecord, bool)
	// PublicURL returns the server's public URL; when it is https, session cookies are
	// Secure even behind a TLS-terminating proxy. nil means "".
	PublicURL func() string
	// AnonymousRead lets requests without a session read every environment (no forms).
	// Off by default: pages need a session.
	AnonymousRead bool
	// SessionTTL is how long a session lasts (default 12h).
	SessionTTL time.Duration
	Now        func() time.Time // default time.Now
	Logger     *slog.Logger     // default: discard
}

// Alarms is what the UI reads from (and asks of) the alarm engine.
type Alarms interface {
	// Instances lists an environment's instances, ALARM first, then by name.
	Instances(env string, f engine.Filter) []engine.Instance
	// Alarm returns a definition (*stack.Alarm or *stack.CompositeAlarm) and its instances.
	Alarm(env, name string) (def any, instances []engine.Instance, ok bool)
	// State returns the state of NAME or NAME[instance] in env.
	State(env, name string) (eval.State, bool)
	History(ctx context.Context, env, alarm string, instance *string, from, to time.Time, limit int) ([]store.HistoryItem, error)
	SetState(ctx context.Context, env, name, instance string, state eval.State, reason string) error
}

// Store is the part of the state store the UI reads and writes.
type Store interface {
	ListIncidents(ctx context.Context, q store.IncidentQuery) ([]store.Incident, error)
	GetIncident(ctx context.Context, env string, id int64) (store.Incident, error)
	Timeline(ctx context.Context, incidentID int64) ([]store.TimelineEntry, error)
	ListOutbox(ctx context.Context, q store.OutboxQuery) ([]store.OutboxMessage, error)
	ListSilences(ctx context.Context, env string, now time.Time, expired bool, limit int) ([]store.Silence, error)
	AddSilence(ctx context.Context, s store.Silence) (int64, error)
	ExpireSilence(ctx context.Context, env string, id int64, now time.Time) error
	ListAnnotations(ctx context.Context, q store.AnnotationQuery) ([]store.Annotation, error)
	ListEvents(ctx context.Context, q store.EventQuery) ([]store.EventRecord, error)
	GetEvent(ctx context.Context, env, id string) (store.EventRecord, error)
}

// Notifier is the part of the notifier the UI acts through.
type Notifier interface {
	Acknowledge(ctx context.Context, env string, id int64, by string) (store.Incident, error)
	Resolve(ctx context.Context, env string, id int64, by string) (store.Incident, error)
	Flapping(env, name string) (bool, time.Time)
	SilencesChanged()
}

// Metrics answers statistics queries (GetMetricStatistics).
type Metrics interface {
	Statistics(ctx context.Context, q metricstore.Query) ([]metricstore.Result, error)
}

// UI is the web interface: an http.Handler for everything under Prefix.
type UI struct {
	opts     Options
	log      *slog.Logger
	sessions *sessions
	assets   *assets
	pages    map[string]*pageTemplate
	mux      *http.ServeMux
	origin   *http.CrossOriginProtection
}

// New builds the UI. It panics when a required dependency is missing (a wiring bug).
func New(opts Options) http.Handler { return newUI(opts) }

func newUI(opts Options) *UI {
	if opts.Authenticate == nil || opts.Environments == nil || opts.Alarms == nil || opts.Store == nil || opts.Notifier == nil {
		panic("web: Options.Authenticate, Environments, Alarms, Store and Notifier are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.PublicURL == nil {
		opts.PublicURL = func() string { return "" }
	}
	u := &UI{opts: opts, log: opts.Logger, sessions: newSessions(opts.Now, opts.SessionTTL), assets: loadAssets()}
	u.pages = u.parseTemplates()
	u.origin = http.NewCrossOriginProtection()
	u.mux = http.NewServeMux()
	u.routes()
	return u
}

func (u *UI) routes() {
	m := u.mux
	m.HandleFunc("GET "+Prefix+"/static/{hash}/{file...}", u.serveAsset)
	m.HandleFunc("GET "+Prefix+"/login", u.loginPage)
	m.HandleFunc("POST "+Prefix+"/login", u.login)
	m.Handle("POST "+Prefix+"/logout", u.form(stackScopeNone, u.logout))
	m.Handle("GET "+Prefix+"/{$}", u.page(u.overview))
	m.Handle("GET "+Prefix+"/env/{env}/alarms", u.page(u.alarmList))
	m.Handle("GET "+Prefix+"/env/{env}/alarms/{name}", u.page(u.alarmDetail))
	m.Handle("POST "+Prefix+"/env/{env}/alarms/{name}/state", u.form(scopeWrite, u.setAlarmState))
	m.Handle("GET "+Prefix+"/env/{env}/incidents", u.page(u.incidentList))
	m.Handle("GET "+Prefix+"/env/{env}/incidents/{id}", u.page(u.incidentDetail))
	m.Handle("POST "+Prefix+"/env/{env}/incidents/{id}/{action}", u.form(scopeWrite, u.incidentAction))
	m.Handle("GET "+Prefix+"/env/{env}/silences", u.page(u.silenceList))
	m.Handle("POST "+Prefix+"/env/{env}/silences", u.form(scopeWrite, u.createSilence))
	m.Handle("POST "+Prefix+"/env/{env}/silences/{id}/expire", u.form(scopeWrite, u.expireSilence))
	m.Handle("GET "+Prefix+"/env/{env}/metrics", u.page(u.metricsExplorer))
	m.Handle("GET "+Prefix+"/env/{env}/events", u.page(u.eventList))
	m.Handle("GET "+Prefix+"/env/{env}/events/{id}", u.page(u.eventDetail))
	m.Handle("GET "+Prefix+"/parity", u.page(u.parityPage))
	// Links in notifications (and older bookmarks) spell environments out.
	m.HandleFunc("GET "+Prefix+"/environments/{env}/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		to := envPath(r.PathValue("env"), escapePath(r.PathValue("rest")))
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
	})
	m.Handle(Prefix+"/", u.page(func(w http.ResponseWriter, r *http.Request, p *page) error {
		return errNotFound
	}))
}

// ServeHTTP applies the headers every response gets, then routes.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	if r.URL.Path == Prefix {
		http.Redirect(w, r, Prefix+"/", http.StatusFound)
		return
	}
	if err := u.origin.Check(r); err != nil { // cross-site POSTs, including to the login form
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
		return
	}
	u.mux.ServeHTTP(w, r)
}

// escapePath escapes each segment of a path (a wildcard's decoded value) again.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// secure reports whether cookies must be Secure for this request.
func (u *UI) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(u.opts.PublicURL(), "https://")
}
