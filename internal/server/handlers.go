package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tocsin/tocsin/internal/stack"
)

func (s *Server) whoami(r *http.Request) (any, error) {
	p := principalFrom(r.Context())
	return map[string]any{"name": p.Name, "admin": p.Admin, "environments": p.Scopes}, nil
}

// reloadResult is the API form of a reload record.
type reloadResult struct {
	ID       int64    `json:"id"`
	At       string   `json:"at"`
	Trigger  string   `json:"trigger"`
	OK       bool     `json:"ok"`
	Errors   []string `json:"errors"`
	Checksum string   `json:"checksum"`
}

func (s *Server) postReload(r *http.Request) (any, error) {
	err := s.reload(r.Context(), "api")
	var re *ReloadError
	if err != nil && !errors.As(err, &re) {
		return nil, err
	}
	res := toResult(*s.cfg.lastLoad.Load())
	if re != nil {
		return nil, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_stack", Message: re.Error(), Details: res.Errors}
	}
	return res, nil
}

func (s *Server) listReloads(r *http.Request) (any, error) {
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, badRequest("limit", "limit must be an integer from 1 to 1000, got %q", v)
		}
		limit = n
	}
	recs, err := s.store.ListReloads(r.Context(), limit)
	if err != nil {
		return nil, err
	}
	out := make([]reloadResult, len(recs))
	for i, rec := range recs {
		out[i] = toResult(rec)
	}
	return map[string]any{"reloads": out}, nil
}

func (s *Server) listEnvironments(r *http.Request) (any, error) {
	return map[string]any{"environments": s.cfg.get().order}, nil
}

// kindFromPath returns the {kind} of the path, if any, or a 404 naming the known kinds.
func kindFromPath(r *http.Request) (*stack.Kind, error) {
	name := r.PathValue("kind")
	if name == "" {
		return nil, nil
	}
	k := stack.KindByName(name)
	if k == nil {
		return nil, notFound("unknown resource kind %q", name)
	}
	return k, nil
}

// resourcesOf returns the effective resources of the path's {env}, limited to the
// path's {kind} (and {name}) when given.
func (s *Server) resourcesOf(r *http.Request) ([]stack.LiveResource, *stack.Kind, error) {
	kind, err := kindFromPath(r)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.cfg.get().liveResources(r.PathValue("env"))
	if err != nil {
		return nil, nil, err
	}
	name := r.PathValue("name")
	out := make([]stack.LiveResource, 0, len(all))
	for _, lr := range all {
		if (kind == nil || lr.Kind == kind.Name) && (name == "" || lr.Name == name) {
			out = append(out, lr)
		}
	}
	return out, kind, nil
}

func (s *Server) listResources(r *http.Request) (any, error) {
	out, _, err := s.resourcesOf(r)
	if err != nil {
		return nil, err
	}
	return map[string]any{"environment": r.PathValue("env"), "resources": out}, nil
}

func (s *Server) getResource(r *http.Request) (any, error) {
	out, kind, err := s.resourcesOf(r)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, notFound("%s %q does not exist in %s", kind.Singular, r.PathValue("name"), r.PathValue("env"))
	}
	return out[0], nil
}

func (s *Server) putResource(r *http.Request) (any, error) {
	kind, err := kindFromPath(r)
	if err != nil {
		return nil, err
	}
	if kind.Name == "tokens" {
		return nil, forbidden("tokens are managed in the stack only")
	}
	body, err := readJSONBody(r)
	if err != nil {
		return nil, err
	}
	env, name := r.PathValue("env"), r.PathValue("name")
	existed := s.cfg.get().effective[env].Get(kind.Name, name) != nil
	en, diags, err := s.putRuntime(r.Context(), env, kind, name, body, principalFrom(r.Context()).Name)
	if err != nil {
		return nil, err
	}
	if en == nil {
		return nil, invalidConfig(diags)
	}
	m, err := stack.Canonical(en.Resource)
	if err != nil {
		return nil, err
	}
	res := stack.LiveResource{Kind: kind.Name, Name: name, Origin: "api", Resource: m}
	if !existed {
		return created{res}, nil
	}
	return res, nil
}

func (s *Server) deleteResource(r *http.Request) (any, error) {
	kind, err := kindFromPath(r)
	if err != nil {
		return nil, err
	}
	if kind.Name == "tokens" {
		return nil, forbidden("tokens are managed in the stack only")
	}
	env, name := r.PathValue("env"), r.PathValue("name")
	ok, err := s.deleteRuntime(r.Context(), env, kind, name, principalFrom(r.Context()).Name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("%s %q does not exist in %s", kind.Singular, name, env)
	}
	return map[string]any{"deleted": true}, nil
}

func (s *Server) revertResource(r *http.Request) (any, error) {
	kind, err := kindFromPath(r)
	if err != nil {
		return nil, err
	}
	env, name := r.PathValue("env"), r.PathValue("name")
	ok, err := s.revertRuntime(r.Context(), env, kind, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("%s %q has no runtime change in %s", kind.Singular, name, env)
	}
	return map[string]any{"reverted": true}, nil
}
