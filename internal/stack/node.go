package stack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Pos is a position in a stack file. Line and Col are 1-based.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// NodeKind is the shape of a Node.
type NodeKind int

const (
	ScalarNode NodeKind = iota
	MappingNode
	SequenceNode
	NullNode
)

func (k NodeKind) String() string {
	return [...]string{"a scalar", "a mapping", "a list", "null"}[k]
}

// Node is a YAML value that remembers where it came from. The loader converts each file
// into Nodes once, then merges overlays, interpolates variables and decodes on them, so
// every diagnostic can name the file, line and column of the text at fault.
type Node struct {
	Kind   NodeKind
	Tag    string // YAML tag of a scalar as written (!!str, !!int…); "" after interpolation
	Value  string
	Pos    Pos
	Keys   []*Node // mapping keys, parallel to Values
	Values []*Node // mapping values or sequence items

	// Secret is set by interpolation when the value came from ${env:…} or ${file:…}.
	Secret bool
	// Ref is the scalar's text before interpolation (e.g. "${env:SLACK_URL}").
	Ref string
	// invalid marks a scalar whose interpolation failed (already reported).
	invalid bool
}

// Get returns the value for key in a mapping node, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != MappingNode {
		return nil
	}
	for i, k := range n.Keys {
		if k.Value == key {
			return n.Values[i]
		}
	}
	return nil
}

// Clone returns a deep copy of n.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Keys = cloneAll(n.Keys)
	c.Values = cloneAll(n.Values)
	return &c
}

func cloneAll(ns []*Node) []*Node {
	if ns == nil {
		return nil
	}
	out := make([]*Node, len(ns))
	for i, n := range ns {
		out[i] = n.Clone()
	}
	return out
}

// maxAliasExpansion bounds the nodes an alias may expand to (a "billion laughs" guard).
const maxAliasExpansion = 100_000

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// ParseYAML parses one YAML document into a Node tree. An empty document yields a NullNode.
// Errors carry the file and the line the YAML parser reported.
func ParseYAML(file string, data []byte) (*Node, *Diagnostic) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	if err == nil {
		var extra yaml.Node
		if dec.Decode(&extra) == nil {
			return nil, &Diagnostic{Pos: Pos{File: file, Line: extra.Line, Col: extra.Column},
				Message: "a stack file holds one YAML document; remove the second one (after ---) or move it to its own file"}
		}
	}
	if err != nil {
		d := &Diagnostic{Pos: Pos{File: file, Line: 1, Col: 1}, Message: err.Error()}
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			d.Pos.Line, _ = strconv.Atoi(m[1])
			d.Message = "invalid YAML: " + m[2]
		}
		return nil, d
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &Node{Kind: NullNode, Pos: Pos{File: file, Line: 1, Col: 1}}, nil
	}
	c := converter{file: file}
	n := c.convert(doc.Content[0])
	if c.err != nil {
		return nil, c.err
	}
	return n, nil
}

type converter struct {
	file     string
	expanded int
	err      *Diagnostic
}

func (c *converter) fail(y *yaml.Node, msg string) {
	if c.err == nil {
		c.err = &Diagnostic{Pos: Pos{File: c.file, Line: y.Line, Col: y.Column}, Message: msg}
	}
}

func (c *converter) convert(y *yaml.Node) *Node {
	if c.err != nil {
		return &Node{Kind: NullNode}
	}
	c.expanded++
	if c.expanded > maxAliasExpansion {
		c.fail(y, "document too large after expanding aliases")
		return &Node{Kind: NullNode}
	}
	n := &Node{Pos: Pos{File: c.file, Line: y.Line, Col: y.Column}}
	switch y.Kind {
	case yaml.AliasNode:
		a := c.convert(y.Alias)
		a.Pos = n.Pos
		return a
	case yaml.ScalarNode:
		n.Kind, n.Tag, n.Value = ScalarNode, y.ShortTag(), y.Value
		if n.Tag == "!!null" {
			n.Kind = NullNode
		}
	case yaml.SequenceNode:
		n.Kind = SequenceNode
		for _, item := range y.Content {
			n.Values = append(n.Values, c.convert(item))
		}
	case yaml.MappingNode:
		n.Kind = MappingNode
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
				c.fail(k, "merge keys (<<) are not supported; use environment overlays or variables")
				continue
			}
			if k.Kind != yaml.ScalarNode {
				c.fail(k, "mapping keys must be plain strings")
				continue
			}
			n.Keys = append(n.Keys, c.convert(k))
			n.Values = append(n.Values, c.convert(v))
		}
	default:
		c.fail(y, "unsupported YAML node")
	}
	return n
}
