package pattern

import "bytes"

// radix is a compressed byte trie of the prefix (or suffix) anchors of one path. Walking it
// along an event value collects, in one pass, the branches of every anchor that is a prefix
// (suffix) of the value, whatever the number of distinct anchor lengths.
type radix struct {
	nodes []rnode
}

// rnode is a node of a radix: the edge label leading to it, its children indexed by the
// first byte of their label, and the branches whose anchor ends here. For suffix tries the
// labels are stored reversed.
type rnode struct {
	label string
	first []byte
	kids  []int32
	post  []int32
}

func newRadix() *radix { return &radix{nodes: []rnode{{}}} }

// insert adds branch b under key (already reversed for a suffix trie).
func (r *radix) insert(key string, b int32) {
	n := int32(0)
	for {
		if key == "" {
			r.nodes[n].post = append(r.nodes[n].post, b)
			return
		}
		k := bytes.IndexByte(r.nodes[n].first, key[0])
		if k < 0 {
			c := int32(len(r.nodes))
			r.nodes = append(r.nodes, rnode{label: key, post: []int32{b}})
			r.nodes[n].first = append(r.nodes[n].first, key[0])
			r.nodes[n].kids = append(r.nodes[n].kids, c)
			return
		}
		c := r.nodes[n].kids[k]
		lab := r.nodes[c].label
		l := 0
		for l < len(lab) && l < len(key) && lab[l] == key[l] {
			l++
		}
		if l < len(lab) { // split the edge at l
			mid := int32(len(r.nodes))
			r.nodes = append(r.nodes, rnode{label: lab[:l], first: []byte{lab[l]}, kids: []int32{c}})
			r.nodes[c].label = lab[l:]
			r.nodes[n].kids[k] = mid
			c = mid
		}
		n, key = c, key[l:]
	}
}

// walkPrefix adds to s the branches of every key that is a prefix of v.
func (r *radix) walkPrefix(v []byte, s *scratch) {
	n := &r.nodes[0]
	s.addBranches(n.post)
	for pos := 0; pos < len(v); {
		k := bytes.IndexByte(n.first, v[pos])
		if k < 0 {
			return
		}
		c := &r.nodes[n.kids[k]]
		if len(v)-pos < len(c.label) || string(v[pos:pos+len(c.label)]) != c.label {
			return
		}
		pos += len(c.label)
		n = c
		s.addBranches(n.post)
	}
}

// walkSuffix adds to s the branches of every key that is a suffix of v (keys are reversed).
func (r *radix) walkSuffix(v []byte, s *scratch) {
	n := &r.nodes[0]
	s.addBranches(n.post)
	for end := len(v); end > 0; {
		k := bytes.IndexByte(n.first, v[end-1])
		if k < 0 {
			return
		}
		c := &r.nodes[n.kids[k]]
		lab := c.label
		if end < len(lab) {
			return
		}
		for j := 0; j < len(lab); j++ {
			if v[end-1-j] != lab[j] {
				return
			}
		}
		end -= len(lab)
		n = c
		s.addBranches(n.post)
	}
}

// reverse returns s with its bytes in reverse order.
func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
