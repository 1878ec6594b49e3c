package stack

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// ProjectFile is the stack's root file; OverlayDir holds environments/<env>.yaml.
const (
	ProjectFile = "tocsin.yaml"
	OverlayDir  = "environments"
	// TestFileSuffix marks alarm unit-test files, which the loader skips.
	TestFileSuffix = "_test.yaml"
)

// Options tune Load. The zero value reads the process environment and real files.
type Options struct {
	// LookupEnv resolves ${env:NAME}; default os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// ReadFile reads stack files and ${file:PATH} secrets; default os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// SkipSecrets leaves ${env:…} and ${file:…} unread (for validate, render and parity
	// in CI, where production secrets are absent). Such secrets report Resolved() false.
	SkipSecrets bool
	// Envs restricts the environments built; nil means all.
	Envs []string
}

func (o *Options) lookupEnv(k string) (string, bool) {
	if o.LookupEnv != nil {
		return o.LookupEnv(k)
	}
	return os.LookupEnv(k)
}

func (o *Options) readFile(p string) ([]byte, error) {
	if o.ReadFile != nil {
		return o.ReadFile(p)
	}
	return os.ReadFile(p)
}

// Stack is a loaded, validated stack: the project settings and each environment's
// effective resources.
type Stack struct {
	Dir      string
	Project  Project
	Envs     []*Env
	Checksum string // hash of every file read; equal checksums mean equal stacks
}

// Env returns the named environment, or nil.
func (s *Stack) Env(name string) *Env {
	for _, e := range s.Envs {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Env is one environment's effective configuration.
type Env struct {
	Name     string
	Entries  []*Entry     // in kind order, then definition order
	Excluded []*Exclusion // resources left out of this environment by only/except
}

// Entry is one resource as it applies in an environment.
type Entry struct {
	Kind      *Kind
	Name      string
	Resource  Resource
	Pos       Pos        // where the resource is defined
	Overrides []Override // fields this environment's overlay changed
	// AddedBy is the overlay file that added the resource to this environment only;
	// Reason is the reason it gives ("" makes the difference undeclared).
	AddedBy string
	Reason  string

	node *Node // the effective tree, for positions
	refs []Ref
}

// Override is one field changed by an overlay, with its effective value (secrets masked).
type Override struct {
	Field string `json:"field"`
	Value string `json:"value"`
	Pos   Pos    `json:"-"`
}

// Exclusion records a resource left out of an environment, and why.
type Exclusion struct {
	Kind   *Kind
	Name   string
	Reason string
	Pos    Pos
}

// Get returns the entry of kind and name, or nil.
func (e *Env) Get(kind, name string) *Entry {
	for _, en := range e.Entries {
		if en.Kind.Name == kind && en.Name == name {
			return en
		}
	}
	return nil
}

// All returns the resources of one kind.
func (e *Env) All(kind string) []*Entry {
	var out []*Entry
	for _, en := range e.Entries {
		if en.Kind.Name == kind {
			out = append(out, en)
		}
	}
	return out
}

// Load reads the stack in dir. It returns every problem found; the stack is usable only
// when the diagnostics hold no error.
func Load(dir string, opts Options) (*Stack, Diagnostics) {
	l := &loader{dir: dir, opts: &opts, sink: &sink{}, hash: sha256.New()}
	st := l.load()
	st.Checksum = hex.EncodeToString(l.hash.Sum(nil))
	envCount := len(st.Envs)
	return st, l.sink.diags.normalize(max(envCount, 1))
}

type loader struct {
	dir      string
	opts     *Options
	sink     *sink
	hash     hash.Hash
	project  *Node
	base     []*rawResource
	overlays map[string]*overlay
}

// rawResource is a resource definition before it is applied to an environment.
type rawResource struct {
	kind   *Kind
	name   string
	node   *Node
	only   []string
	except []string
	reason string
}

type overlay struct {
	file      string
	vars      map[string]*Node
	resources []*rawResource
}

func (l *loader) load() *Stack {
	st := &Stack{Dir: l.dir}
	projectPath := filepath.Join(l.dir, ProjectFile)
	root := l.parseFile(projectPath)
	if root == nil {
		return st
	}
	l.project = root
	l.decodeProject(root, &st.Project)
	l.walk()
	l.checkBase(st.Project.Environments)
	for _, name := range st.Project.Environments {
		if l.opts.Envs != nil && !contains(l.opts.Envs, name) {
			continue
		}
		st.Envs = append(st.Envs, l.buildEnv(name, &st.Project))
	}
	checkEmailSettings(l.sink, st)
	for _, want := range l.opts.Envs {
		if !contains(st.Project.Environments, want) {
			l.sink.errorf(lookupPos(root, "environments"), "environments", "environment %q is not declared%s", want, suggest(want, st.Project.Environments))
		}
	}
	return st
}

// parseFile reads and parses one YAML file, reporting failures.
func (l *loader) parseFile(path string) *Node {
	data, err := l.opts.readFile(path)
	if err != nil {
		l.sink.errorf(Pos{File: path, Line: 1, Col: 1}, "", "cannot read file: %v", errorText(err))
		return nil
	}
	l.hash.Write([]byte(path + "\x00"))
	l.hash.Write(data)
	l.hash.Write([]byte{0})
	n, d := ParseYAML(path, data)
	if d != nil {
		l.sink.errorf(d.Pos, "", "%s", d.Message)
		return nil
	}
	if n.Kind == NullNode {
		return &Node{Kind: MappingNode, Pos: n.Pos}
	}
	if n.Kind != MappingNode {
		l.sink.errorf(n.Pos, "", "a stack file must be a mapping of resource kinds (%s), got %s", strings.Join(kindNames(), ", "), n.Kind)
		return nil
	}
	return n
}

// decodeProject decodes tocsin.yaml's own keys; resource kinds in it are kept as base
// resources like those of any other file.
func (l *loader) decodeProject(root *Node, p *Project) {
	own := &Node{Kind: MappingNode, Pos: root.Pos}
	resources := &Node{Kind: MappingNode, Pos: root.Pos}
	for i, k := range root.Keys {
		target := own
		if KindByName(k.Value) != nil {
			target = resources
		}
		target.Keys = append(target.Keys, k)
		target.Values = append(target.Values, root.Values[i])
	}
	// Server settings may use stack variables and secrets, but not ${environment}.
	vars := map[string]*Node{}
	if v := own.Get("variables"); v != nil && v.Kind == MappingNode {
		for i, k := range v.Keys {
			vars[k.Value] = v.Values[i]
		}
	}
	if server := own.Get("server"); server != nil {
		r := &resolver{vars: vars, opts: l.opts, dir: l.dir, sink: l.sink, cache: map[string]expansion{}}
		r.interpolate(server, "server")
	}
	d := &decoder{sink: l.sink}
	d.decodeStruct(own, reflect.ValueOf(p).Elem(), "")
	p.validate(l.sink, own)
	l.collectResources(resources, &l.base)
}

// walk parses every resource file and overlay below the stack directory.
func (l *loader) walk() {
	l.overlays = map[string]*overlay{}
	var files []string
	err := filepath.WalkDir(l.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			l.sink.errorf(Pos{File: p, Line: 1, Col: 1}, "", "cannot read: %v", errorText(err))
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != l.dir && strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(name); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		if strings.HasSuffix(name, TestFileSuffix) || p == filepath.Join(l.dir, ProjectFile) {
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		l.sink.errorf(Pos{File: l.dir, Line: 1, Col: 1}, "", "cannot read stack directory: %v", errorText(err))
	}
	sort.Strings(files)
	overlayDir := filepath.Join(l.dir, OverlayDir)
	for _, p := range files {
		root := l.parseFile(p)
		if root == nil {
			continue
		}
		if filepath.Dir(p) == overlayDir {
			l.addOverlay(p, root)
			continue
		}
		for i, k := range root.Keys {
			if KindByName(k.Value) == nil {
				l.sink.errorf(k.Pos, k.Value, "unknown resource kind %q%s (known: %s)", k.Value, suggest(k.Value, kindNames()), strings.Join(kindNames(), ", "))
				root.Keys[i] = nil
			}
		}
		l.collectResources(root, &l.base)
	}
}

func (l *loader) addOverlay(path string, root *Node) {
	env := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".yaml"), ".yml")
	if _, dup := l.overlays[env]; dup {
		l.sink.errorf(root.Pos, "", "a second overlay for environment %q", env)
		return
	}
	o := &overlay{file: path, vars: map[string]*Node{}}
	resources := &Node{Kind: MappingNode, Pos: root.Pos}
	for i, k := range root.Keys {
		v := root.Values[i]
		switch {
		case k.Value == "variables":
			if v.Kind != MappingNode {
				l.sink.errorf(v.Pos, "variables", "expected a mapping, got %s", v.Kind)
				continue
			}
			for j, vk := range v.Keys {
				if v.Values[j].Kind != ScalarNode {
					l.sink.errorf(v.Values[j].Pos, "variables."+vk.Value, "a variable must be a scalar (string, number or boolean), got %s", v.Values[j].Kind)
				}
				o.vars[vk.Value] = v.Values[j]
			}
		case KindByName(k.Value) != nil:
			resources.Keys = append(resources.Keys, k)
			resources.Values = append(resources.Values, v)
		default:
			l.sink.errorf(k.Pos, k.Value, "unknown key %q in an overlay%s (an overlay holds variables and resource kinds)", k.Value, suggest(k.Value, append(kindNames(), "variables")))
		}
	}
	l.collectResources(resources, &o.resources)
	l.overlays[env] = o
}

// collectResources appends the resources of a file's kind keys to out.
func (l *loader) collectResources(root *Node, out *[]*rawResource) {
	for i, k := range root.Keys {
		if k == nil {
			continue
		}
		kind := KindByName(k.Value)
		list := root.Values[i]
		if list.Kind == NullNode {
			continue
		}
		if list.Kind != SequenceNode {
			l.sink.errorf(list.Pos, kind.Name, "expected a list of %s, got %s", kind.Name, list.Kind)
			continue
		}
		for j, n := range list.Values {
			path := k.Value + "[" + strconv.Itoa(j) + "]"
			if n.Kind != MappingNode {
				l.sink.errorf(n.Pos, path, "expected a mapping (a %s), got %s", kind.Singular, n.Kind)
				continue
			}
			name := n.Get("name")
			if name == nil || name.Kind != ScalarNode || name.Value == "" {
				l.sink.errorf(n.Pos, path+".name", "missing required field \"name\"")
				continue
			}
			if strings.Contains(name.Value, "${") {
				l.sink.errorf(name.Pos, path+".name", "names cannot use variables: other resources, overlays and parity refer to them by their literal text")
				continue
			}
			r := &rawResource{kind: kind, name: name.Value, node: n}
			r.only = l.stringList(n, "only")
			r.except = l.stringList(n, "except")
			if reason := n.Get("reason"); reason != nil && reason.Kind == ScalarNode {
				r.reason = reason.Value
			}
			*out = append(*out, r)
		}
	}
}

// stringList reads a list of plain strings from a resource field (shape errors are
// reported by the decoder later).
func (l *loader) stringList(n *Node, key string) []string {
	v := n.Get(key)
	if v == nil || v.Kind != SequenceNode {
		return nil
	}
	var out []string
	for _, item := range v.Values {
		if item.Kind == ScalarNode {
			out = append(out, item.Value)
		}
	}
	return out
}
