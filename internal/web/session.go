package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CookieName is the session cookie: a random id; the session itself stays on the server.
const CookieName = "tocsin_session"

// Principal is who is looking: a token's name and what it may do.
type Principal struct {
	Name      string
	Admin     bool
	Scopes    map[string][]string // environment → scopes; nil for the admin
	Anonymous bool                // read-only access without a session (Options.AnonymousRead)
}

// Can reports whether p may act with scope in env.
func (p *Principal) Can(scope, env string) bool {
	if p.Admin {
		return true
	}
	if p.Anonymous {
		return scope == scopeRead
	}
	for _, s := range p.Scopes[env] {
		if s == scope {
			return true
		}
	}
	return false
}

// Scopes a page or form needs in its environment (the stack's token scopes).
const (
	scopeRead      = "read"
	scopeWrite     = "write"
	stackScopeNone = "" // any signed-in user (logout)
)

type session struct {
	id      string
	token   string // kept in memory only, to re-check it on every request
	csrf    string
	expires time.Time
}

// sessions is the server-side session table. It lives in memory: a restart signs
// everyone out, which is acceptable for tokens people paste.
type sessions struct {
	mu   sync.Mutex
	m    map[string]*session
	now  func() time.Time
	ttl  time.Duration
	next time.Time // next sweep of expired sessions
}

func newSessions(now func() time.Time, ttl time.Duration) *sessions {
	return &sessions{m: map[string]*session{}, now: now, ttl: ttl}
}

func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create(token string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.After(s.next) {
		for id, se := range s.m {
			if !now.Before(se.expires) {
				delete(s.m, id)
			}
		}
		s.next = now.Add(time.Minute)
	}
	se := &session{id: randomID(), token: token, csrf: randomID(), expires: now.Add(s.ttl)}
	s.m[se.id] = se
	return se
}

func (s *sessions) get(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	se := s.m[id]
	if se == nil {
		return nil
	}
	if !s.now().Before(se.expires) {
		delete(s.m, id)
		return nil
	}
	return se
}

func (s *sessions) delete(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

// session returns the request's live session and its principal, or nil.
func (u *UI) session(r *http.Request) (*session, *Principal) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	se := u.sessions.get(c.Value)
	if se == nil {
		return nil, nil
	}
	p, ok := u.principal(se.token)
	if !ok { // the token was removed or changed: the session ends with it
		u.sessions.delete(se.id)
		return nil, nil
	}
	return se, p
}

func (u *UI) principal(token string) (*Principal, bool) {
	name, scopes, admin, ok := u.opts.Authenticate(token)
	if !ok {
		return nil, false
	}
	return &Principal{Name: name, Scopes: scopes, Admin: admin}, true
}

// signIn checks a token typed into the sign-in form (see Options.SignIn).
func (u *UI) signIn(r *http.Request, token string) (*Principal, time.Duration) {
	if token == "" {
		return nil, 0
	}
	if u.opts.SignIn != nil {
		return u.opts.SignIn(r, token)
	}
	p, _ := u.principal(token)
	return p, 0
}

func (u *UI) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: value, Path: Prefix + "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: u.secure(r)})
}

// loginPage is GET /ui/login.
func (u *UI) loginPage(w http.ResponseWriter, r *http.Request) {
	u.renderLogin(w, r, http.StatusOK, "")
}

func (u *UI) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := &page{Title: "Sign in", Now: u.opts.Now(), Next: safeNext(r.FormValue("next")), Error: msg, template: "login"}
	u.render(w, r, status, p)
}

// login is POST /ui/login: a valid token that may read something starts a session.
// (CSRF on this form is stopped by the cross-origin check in ServeHTTP.)
func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	token := strings.TrimSpace(r.PostFormValue("token"))
	p, wait := u.signIn(r, token)
	if wait > 0 {
		secs := int(wait / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		u.renderLogin(w, r, http.StatusTooManyRequests, fmt.Sprintf("Too many wrong tokens were tried from your address. Try again in %d seconds.", secs))
		return
	}
	if p == nil {
		u.renderLogin(w, r, http.StatusUnauthorized, "That token is not valid here.")
		return
	}
	if len(u.readable(p)) == 0 {
		u.renderLogin(w, r, http.StatusForbidden, "That token may not read any environment served here.")
		return
	}
	if c, err := r.Cookie(CookieName); err == nil { // no fixation: always a new id
		u.sessions.delete(c.Value)
	}
	se := u.sessions.create(token)
	u.setCookie(w, r, se.id, int(u.opts.SessionTTL/time.Second))
	u.log.Info("ui sign-in", "token", p.Name)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// logout is POST /ui/logout.
func (u *UI) logout(w http.ResponseWriter, r *http.Request, p *page) error {
	if p.session != nil {
		u.sessions.delete(p.session.id)
	}
	u.setCookie(w, r, "", -1)
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
	return nil
}

// safeNext keeps a post-login redirect inside the UI (no open redirect).
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, Prefix+"/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix + "/"
	}
	return next
}

// checkCSRF compares the form's csrf field with the session's, in constant time.
func checkCSRF(r *http.Request, se *session) bool {
	got := r.PostFormValue("csrf")
	return se != nil && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(se.csrf)) == 1
}
