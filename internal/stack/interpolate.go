package stack

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Interpolation replaces, in every scalar of a resource:
//
//	${name}         a variable (environment overlay variables win over tocsin.yaml's)
//	${environment}  the environment's name
//	${env:NAME}     a process environment variable (a secret)
//	${file:PATH}    a file's contents without the trailing newline (a secret; PATH is
//	                relative to the stack directory)
//	$${             a literal "${"
//
// Undefined names and cycles between variables are errors.

// unresolvedSecret stands for a secret that was not read (Options.SkipSecrets).
const unresolvedSecret = "<unresolved secret>"

var varNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

type resolver struct {
	env       string
	vars      map[string]*Node
	opts      *Options
	dir       string
	sink      *sink
	resolving []string
	cache     map[string]expansion
}

type expansion struct {
	value  string
	secret bool
	ok     bool
}

// interpolate rewrites the scalars of n in place.
func (r *resolver) interpolate(n *Node, path string) {
	switch n.Kind {
	case ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return
		}
		e := r.expand(n.Value, n.Pos, path)
		if !e.ok {
			n.invalid = true
			return
		}
		n.Ref, n.Value, n.Secret, n.Tag = n.Value, e.value, e.secret, ""
	case MappingNode:
		for i, k := range n.Keys {
			r.interpolate(n.Values[i], joinPath(path, k.Value))
		}
	case SequenceNode:
		for i, v := range n.Values {
			r.interpolate(v, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// expand interpolates one string.
func (r *resolver) expand(s string, pos Pos, path string) expansion {
	var b strings.Builder
	out := expansion{ok: true}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			r.sink.fail(pos, path, "unterminated %q (write $${ for a literal ${)", s[i:])
			return expansion{}
		}
		e := r.lookup(s[i+2:i+end], pos, path)
		if !e.ok {
			out.ok = false
		}
		out.secret = out.secret || e.secret
		b.WriteString(e.value)
		s = s[i+end+1:]
	}
	out.value = b.String()
	return out
}

func (r *resolver) lookup(expr string, pos Pos, path string) expansion {
	source, arg, hasSource := strings.Cut(expr, ":")
	switch {
	case expr == "environment":
		if r.env == "" {
			r.sink.fail(pos, path, "${environment} is not available here")
			return expansion{}
		}
		return expansion{value: r.env, ok: true}
	case hasSource && source == "env":
		return r.secret(expr, pos, path, func() (string, error) {
			v, ok := r.opts.lookupEnv(arg)
			if !ok {
				return "", fmt.Errorf("environment variable %s is not set", arg)
			}
			return v, nil
		})
	case hasSource && source == "file":
		return r.secret(expr, pos, path, func() (string, error) {
			p := arg
			if !filepath.IsAbs(p) {
				p = filepath.Join(r.dir, p)
			}
			data, err := r.opts.readFile(p)
			if err != nil {
				return "", fmt.Errorf("cannot read secret file %s: %v", arg, errorText(err))
			}
			return strings.TrimRight(string(data), "\r\n"), nil
		})
	case hasSource:
		r.sink.fail(pos, path, "unknown variable source %q in ${%s} (use ${env:NAME}, ${file:PATH} or ${name})", source, expr)
		return expansion{}
	case !varNameRE.MatchString(expr):
		r.sink.fail(pos, path, "invalid variable name %q", expr)
		return expansion{}
	}
	return r.variable(expr, pos, path)
}

func (r *resolver) secret(expr string, pos Pos, path string, read func() (string, error)) expansion {
	if r.opts.SkipSecrets {
		return expansion{value: unresolvedSecret, secret: true, ok: true}
	}
	if e, ok := r.cache["$"+expr]; ok {
		return e
	}
	v, err := read()
	if err != nil {
		r.sink.fail(pos, path, "%v", err)
		return expansion{}
	}
	e := expansion{value: v, secret: true, ok: true}
	r.cache["$"+expr] = e
	return e
}

func (r *resolver) variable(name string, pos Pos, path string) expansion {
	if e, ok := r.cache[name]; ok {
		return e
	}
	def, ok := r.vars[name]
	if !ok {
		names := make([]string, 0, len(r.vars))
		for k := range r.vars {
			names = append(names, k)
		}
		sort.Strings(names)
		r.sink.fail(pos, path, "undefined variable %q%s", name, suggest(name, names))
		return expansion{}
	}
	for i, v := range r.resolving {
		if v == name {
			cycle := append(append([]string(nil), r.resolving[i:]...), name)
			r.sink.fail(def.Pos, "variables."+name, "variable cycle: %s", strings.Join(cycle, " -> "))
			return expansion{}
		}
	}
	if def.Kind != ScalarNode {
		r.sink.fail(pos, path, "variable %q is %s, not a scalar", name, def.Kind)
		return expansion{}
	}
	r.resolving = append(r.resolving, name)
	e := expansion{value: def.Value, secret: def.Secret, ok: true}
	if strings.Contains(def.Value, "${") {
		e = r.expand(def.Value, def.Pos, "variables."+name)
	}
	r.resolving = r.resolving[:len(r.resolving)-1]
	r.cache[name] = e
	return e
}

// errorText strips the path from file errors, which the message already names.
func errorText(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}
