package stack

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// checkBase validates what does not depend on an environment: duplicate names and the
// only/except/reason declarations.
func (l *loader) checkBase(envs []string) {
	seen := map[string]*rawResource{}
	for _, r := range l.base {
		key := r.kind.Name + "\x00" + r.name
		path := resourcePath(r.kind, r.name)
		if prev, dup := seen[key]; dup {
			l.sink.errorf(r.node.Get("name").Pos, path+".name", "duplicate %s name %q (first defined at %s)", r.kind.Singular, r.name, prev.node.Pos)
			continue
		}
		seen[key] = r
		switch {
		case r.only != nil && r.except != nil:
			l.sink.errorf(lookupPos(r.node, "except"), path+".except", "give only or except, not both")
		case (r.only != nil || r.except != nil) && strings.TrimSpace(r.reason) == "":
			field := "only"
			if r.except != nil {
				field = "except"
			}
			l.sink.errorf(lookupPos(r.node, field), path+"."+field, "%s needs a reason: say why this %s differs between environments", field, r.kind.Singular)
		case r.only == nil && r.except == nil && r.reason != "":
			l.sink.errorf(lookupPos(r.node, "reason"), path+".reason", "reason explains only or except, and neither is given")
		}
		for _, field := range []string{"only", "except"} {
			list := r.only
			if field == "except" {
				list = r.except
			}
			for i, e := range list {
				if !contains(envs, e) {
					f := fmt.Sprintf("%s[%d]", field, i)
					l.sink.errorf(lookupPos(r.node, f), path+"."+f, "unknown environment %q%s", e, suggest(e, envs))
				}
			}
		}
	}
	for env, o := range l.overlays {
		if !contains(envs, env) {
			l.sink.errorf(Pos{File: o.file, Line: 1, Col: 1}, "", "overlay for environment %q, which tocsin.yaml does not declare%s", env, suggest(env, envs))
		}
	}
}

func resourcePath(k *Kind, name string) string { return k.Name + "[" + name + "]" }

// included reports whether a base resource exists in env.
func (r *rawResource) included(env string) bool {
	if r.only != nil {
		return contains(r.only, env)
	}
	return !contains(r.except, env)
}

// buildEnv applies the overlay, variables and validation for one environment.
func (l *loader) buildEnv(name string, p *Project) *Env {
	env := &Env{Name: name}
	s := &sink{env: name}
	defer func() { l.sink.diags = append(l.sink.diags, s.diags...) }()

	o := l.overlays[name]
	if o == nil {
		o = &overlay{}
	}
	vars := map[string]*Node{}
	for k, v := range p.Variables {
		vars[k] = v.Node
	}
	for k, v := range o.vars {
		vars[k] = v
	}
	res := &resolver{env: name, vars: vars, opts: l.opts, dir: l.dir, sink: s, cache: map[string]expansion{}}

	overrides := map[string]*rawResource{}
	for _, r := range o.resources {
		key := r.kind.Name + "\x00" + r.name
		path := resourcePath(r.kind, r.name)
		if _, dup := overrides[key]; dup {
			s.errorf(r.node.Get("name").Pos, path+".name", "duplicate %s name %q in the overlay", r.kind.Singular, r.name)
			continue
		}
		overrides[key] = r
		if r.only != nil || r.except != nil {
			field := "only"
			if r.only == nil {
				field = "except"
			}
			s.errorf(lookupPos(r.node, field), path+"."+field, "only/except are not allowed in an overlay: it already applies to %s alone", name)
		}
	}
	var built []*Entry
	for _, r := range l.base {
		if !r.included(name) {
			if ov := overrides[r.kind.Name+"\x00"+r.name]; ov != nil {
				s.errorf(ov.node.Pos, resourcePath(r.kind, r.name), "overrides %s %q, which only/except leave out of %s", r.kind.Singular, r.name, name)
				delete(overrides, r.kind.Name+"\x00"+r.name)
			}
			env.Excluded = append(env.Excluded, &Exclusion{Kind: r.kind, Name: r.name, Reason: r.reason, Pos: r.node.Pos})
			continue
		}
		en := &Entry{Kind: r.kind, Name: r.name, Pos: r.node.Pos}
		node := r.node.Clone()
		ov := overrides[r.kind.Name+"\x00"+r.name]
		if ov != nil {
			delete(overrides, r.kind.Name+"\x00"+r.name)
			mergeInto(node, ov.node.Clone(), "")
			en.Reason = ov.reason
		}
		l.decodeEntry(en, node, res, s)
		if ov != nil || len(o.vars) > 0 {
			en.Overrides = l.overrides(r, en, name, p)
		}
		built = append(built, en)
	}
	for _, r := range o.resources {
		if overrides[r.kind.Name+"\x00"+r.name] != r {
			continue // an override, applied above
		}
		en := &Entry{Kind: r.kind, Name: r.name, Pos: r.node.Pos, AddedBy: o.file, Reason: r.reason}
		if strings.TrimSpace(r.reason) == "" {
			s.warnf(r.node.Pos, resourcePath(r.kind, r.name), "exists only in %s (added by its overlay) and gives no reason; tocsin parity reports it as undeclared", name)
		}
		l.decodeEntry(en, r.node.Clone(), res, s)
		built = append(built, en)
	}
	// Entries in kind order, then definition order.
	for _, k := range kinds {
		for _, en := range built {
			if en.Kind == k {
				env.Entries = append(env.Entries, en)
			}
		}
	}
	checkRefs(env, s)
	lintResolution(env, p, s)
	return env
}

// lintResolution warns about sub-minute alarms on data the stack itself declares as
// standard resolution (a StatsD listener's namespace): every other 10 s slot is empty.
// The engine also logs it at run time for data from any source.
func lintResolution(env *Env, p *Project, s *sink) {
	for _, en := range env.All("alarms") {
		a := en.Resource.(*Alarm)
		if a.Period.Std() >= time.Minute {
			continue
		}
		for _, l := range p.Server.StatsD {
			ns := l.Namespace
			if ns == "" {
				ns = "StatsD"
			}
			if l.Environment == env.Name && ns == a.Metric.Namespace && l.StorageResolution != 1 {
				s.warnf(lookupPos(en.node, "period"), resourcePath(en.Kind, en.Name)+".period",
					"a %s period on standard-resolution data (the StatsD listener of %s stores 60-second buckets): most periods will be missing; use 1m or storage_resolution: 1", a.Period, ns)
			}
		}
	}
}

// decodeEntry interpolates, decodes and validates one resource.
func (l *loader) decodeEntry(en *Entry, node *Node, res *resolver, s *sink) {
	path := resourcePath(en.Kind, en.Name)
	res.interpolate(node, path)
	r := en.Kind.New()
	(&decoder{sink: s}).decode(node, reflect.ValueOf(r).Elem(), path)
	if d, ok := r.(defaulter); ok {
		d.setDefaults()
	}
	if err := validateName(r.Common().Name); err != nil {
		s.errorf(lookupPos(node, "name"), path+".name", "%v", err)
	}
	c := &Check{sink: s, node: node, path: path, env: res.env}
	r.Validate(c)
	en.Resource = r
	en.node = node
	en.refs = c.refs
}

// overrides compares a resource as it applies in env with its baseline: the same
// definition without the overlay (no overridden fields, no overlay variables). The
// fields that differ are what the environment overrides.
func (l *loader) overrides(r *rawResource, en *Entry, env string, p *Project) []Override {
	vars := map[string]*Node{}
	for k, v := range p.Variables {
		vars[k] = v.Node
	}
	quiet := &sink{env: env}
	res := &resolver{env: env, vars: vars, opts: l.opts, dir: l.dir, sink: quiet, cache: map[string]expansion{}}
	base := &Entry{Kind: r.kind, Name: r.name}
	l.decodeEntry(base, r.node.Clone(), res, quiet)
	a, err1 := Canonical(base.Resource)
	b, err2 := Canonical(en.Resource)
	if err1 != nil || err2 != nil {
		return nil
	}
	var fields []string
	diffFields(a, b, "", &fields)
	out := make([]Override, 0, len(fields))
	for _, f := range fields {
		out = append(out, Override{Field: f, Value: displayJSON(valueAt(b, f)), Pos: lookupPos(en.node, f)})
	}
	return out
}
