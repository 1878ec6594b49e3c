package web

import (
	"net/http"
	"net/url"
)

// handlerFunc handles a page or a form. It fills p (Data, template, Title) and returns
// nil to have p rendered, or writes the response itself (a redirect) and sets no
// template, or returns an error shown as an error page.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p *page) error

// readable lists the served environments p may read, in order.
func (u *UI) readable(p *Principal) []string {
	var out []string
	for _, env := range u.opts.Environments() {
		if p.Can(scopeRead, env) {
			out = append(out, env)
		}
	}
	return out
}

// start resolves who is asking and prepares the page; nil when the request was
// answered (a redirect to sign in).
func (u *UI) start(w http.ResponseWriter, r *http.Request) *page {
	se, pr := u.session(r)
	if pr == nil && u.opts.AnonymousRead && r.Method == http.MethodGet {
		pr = &Principal{Name: "anonymous", Anonymous: true}
	}
	if pr == nil {
		if r.Method == http.MethodGet && r.Header.Get(LiveHeader) == "" {
			http.Redirect(w, r, Prefix+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		} else {
			http.Error(w, "sign in first", http.StatusUnauthorized)
		}
		return nil
	}
	p := &page{P: pr, ui: u, session: se, Envs: u.readable(pr), Now: u.opts.Now(), query: r.URL.Query()}
	if se != nil {
		p.CSRF = se.csrf
	}
	if env := r.PathValue("env"); env != "" {
		p.Env = env
	}
	return p
}

// page serves a GET page: a session (or anonymous read access) and, for pages of an
// environment, the read scope in it.
func (u *UI) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := u.start(w, r)
		if p == nil {
			return
		}
		if p.Env != "" && !u.served(p.Env) || p.Env != "" && !p.P.Can(scopeRead, p.Env) {
			u.renderError(w, r, p, errNotFound)
			return
		}
		if n := p.query.Get("done"); n != "" {
			p.Notice = notices[n]
		}
		u.finish(w, r, p, h(w, r, p))
	})
}

// form serves a POST: a session (never anonymous), its CSRF token, and scope in the
// path's environment.
func (u *UI) form(scope string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		p := u.start(w, r)
		if p == nil {
			return
		}
		if p.session == nil || !checkCSRF(r, p.session) {
			u.renderError(w, r, p, &httpError{http.StatusForbidden, "The form expired or did not come from this site; reload the page and try again."})
			return
		}
		if p.Env != "" && (!u.served(p.Env) || !p.P.Can(scopeRead, p.Env)) {
			u.renderError(w, r, p, errNotFound)
			return
		}
		if scope != stackScopeNone && !p.P.Can(scope, p.Env) {
			u.renderError(w, r, p, errForbidden)
			return
		}
		u.finish(w, r, p, h(w, r, p))
	})
}

func (u *UI) finish(w http.ResponseWriter, r *http.Request, p *page, err error) {
	switch {
	case err != nil:
		u.renderError(w, r, p, err)
	case p.template != "":
		status := http.StatusOK
		if p.Error != "" {
			status = http.StatusBadRequest
		}
		if p.Status != 0 {
			status = p.Status
		}
		u.render(w, r, status, p)
	}
}

func (u *UI) served(env string) bool {
	for _, e := range u.opts.Environments() {
		if e == env {
			return true
		}
	}
	return false
}

// notices are the confirmations a redirect after a form may show (?done=KEY); a fixed
// table, so a link cannot put words on the page.
var notices = map[string]string{
	"acknowledged": "Acknowledged: escalation has stopped.",
	"resolved":     "Resolved.",
	"state":        "State set; the next evaluation may change it again.",
	"silenced":     "Silence created.",
	"expired":      "Silence expired.",
}

// redirect answers a form with Post/Redirect/Get.
func redirect(w http.ResponseWriter, r *http.Request, to, done string) error {
	if done != "" {
		to += "?done=" + url.QueryEscape(done)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
