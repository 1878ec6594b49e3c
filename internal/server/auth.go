package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/authlimit"
	"github.com/tocsin/tocsin/internal/stack"
)

// principal is who made a request: the admin, or a token of the environments that
// declare it (a token defined without only/except exists, with its scopes, in each).
type principal struct {
	Name   string
	Admin  bool
	Scopes map[string][]string // environment → scopes; nil for the admin
}

// can reports whether p may act with scope in env.
func (p *principal) can(scope, env string) bool {
	if p.Admin {
		return true
	}
	for _, s := range p.Scopes[env] {
		if s == scope {
			return true
		}
	}
	return false
}

type principalKey struct{}

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

// authenticate resolves the request's bearer token, behind the per-address limit on wrong
// credentials (authlimit): a refused attempt's error is a 429 and wait says when to retry.
// A request without a credential is a 401 and does not count.
func (s *Server) authenticate(r *http.Request) (p *principal, wait time.Duration, err error) {
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if h == "" || !ok || raw == "" {
		return nil, 0, errUnauthorized
	}
	return s.checkCredential(clientAddr(r), raw)
}

// checkCredential resolves token presented from addr, behind the limit on wrong
// credentials; the API's bearer tokens and the web UI's sign-in both come through here.
func (s *Server) checkCredential(addr, token string) (*principal, time.Duration, error) {
	sum := sha256.Sum256([]byte(token))
	if wait, ok := s.authLimit.Allow(addr, sum); !ok {
		s.metrics.authFailed.WithLabelValues("throttled").Inc()
		secs := int(math.Ceil(wait.Seconds()))
		return nil, time.Duration(secs) * time.Second, &apiError{Status: http.StatusTooManyRequests, Code: "throttled",
			Message: fmt.Sprintf("too many wrong credentials from this address: try again in %d s", secs)}
	}
	p := s.principalFor(sum)
	if p == nil {
		s.metrics.authFailed.WithLabelValues("rejected").Inc()
		if s.authLimit.Failed(addr, sum) {
			s.log.Warn("too many wrong credentials: throttling the address", "client", addr,
				"burst", authlimit.Burst, "then_one_per", authlimit.Refill.String())
		}
		return nil, 0, errUnauthorized
	}
	s.authLimit.Succeeded(addr, sum)
	return p, 0, nil
}

// principalFor resolves a token by its SHA-256 sum. Every comparison is constant-time over
// sums (so neither content nor length leaks), and every declared token is compared.
func (s *Server) principalFor(sum [32]byte) *principal {
	var found *principal
	admin := sha256.Sum256([]byte(s.admin))
	if subtle.ConstantTimeCompare(sum[:], admin[:]) == 1 {
		found = &principal{Name: "admin", Admin: true}
	}
	cfg := s.cfg.get()
	for _, envName := range cfg.order {
		for _, en := range cfg.stack.Env(envName).All("tokens") {
			tok := en.Resource.(*stack.Token)
			want := sha256.Sum256([]byte(tok.Value.Reveal()))
			if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				continue
			}
			if found == nil {
				found = &principal{Name: en.Name, Scopes: map[string][]string{}}
			}
			if !found.Admin {
				found.Scopes[envName] = append(found.Scopes[envName], tok.Scopes...)
			}
		}
	}
	return found
}

// clientAddr is the address the limit on wrong credentials counts by: the connection's
// remote host (behind a reverse proxy, the proxy's).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

var errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "a valid token is required: send Authorization: Bearer TOKEN"}

func forbidden(format string, args ...any) error {
	return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: fmt.Sprintf(format, args...)}
}

// adminTokenFile holds the generated admin token inside the data directory.
const adminTokenFile = "admin-token"

// adminToken returns the admin token: from the options, else from the data directory,
// else a new random one written there (mode 0600) and printed once.
func adminToken(opts Options) (string, error) {
	if opts.AdminToken != "" {
		if len(opts.AdminToken) < stack.MinTokenLength {
			return "", fmt.Errorf("server: the admin token must be at least %d characters", stack.MinTokenLength)
		}
		return opts.AdminToken, nil
	}
	path := filepath.Join(opts.DataDir, adminTokenFile)
	data, err := os.ReadFile(path)
	if err == nil {
		if tok := strings.TrimSpace(string(data)); tok != "" {
			return tok, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("server: reading the admin token: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := "tocsin_" + hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("server: writing the admin token: %w", err)
	}
	fmt.Fprintf(opts.Stdout, "Generated an admin token (shown once; kept in %s):\n\n    %s\n\n", path, tok)
	return tok, nil
}
