package putmetric

import (
	"math/bits"
	"unsafe"
)

// Roles a string has passed metric validation in, as bits.
const (
	roleName uint8 = 1 << iota
	roleUnit
	roleDimName
	roleDimValue
)

// strCache interns the strings of the bodies decoded into one Request, so that repeated
// names, units and dimensions are not allocated again, and remembers the roles in which
// each has passed metric validation, so that they are not validated again. A small
// direct-mapped table sits in front of a map: the map guarantees that a string seen before
// costs no allocation, the table makes the common lookup cheaper than a map access.
//
// Only strings up to maxInternSize bytes are kept, and the cache starts afresh once it holds
// maxInterned of them, so its memory stays bounded when a dimension's values are unbounded.
type strCache struct {
	fast   [fastSize]cached
	all    map[string]cached
	values map[string]cached // dimension values (see getValue)
	bodies int
}

type cached struct {
	s     string
	roles uint8
}

const (
	fastBits      = 10
	fastSize      = 1 << fastBits
	maxInterned   = 4096
	maxInternSize = 128
)

func newStrCache() *strCache { return &strCache{all: make(map[string]cached)} }

// hash is a quick multiplicative hash over the 8-byte words of s, to index the fast table.
func hash(s string) uint {
	h := uint64(len(s)) * 0x9E3779B97F4A7C15
	for ; len(s) >= 8; s = s[8:] {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = bits.RotateLeft64((h^w)*0xFF51AFD7ED558CCD, 29)
	}
	var w uint64
	for i := 0; i < len(s); i++ {
		w |= uint64(s[i]) << (8 * i)
	}
	return uint(((h ^ w) * 0xC4CEB9FE1A85EC53) >> (64 - fastBits))
}

// get returns b as a string and the roles it has passed validation in. It allocates only
// for a string it does not hold.
func (c *strCache) get(b []byte) (string, uint8) {
	view := unsafe.String(unsafe.SliceData(b), len(b)) // only compared and hashed, never kept
	e := &c.fast[hash(view)]
	if e.s == view { // an empty slot matches only "", which is right
		return e.s, e.roles
	}
	if v, ok := c.all[view]; ok {
		*e = v
		return v.s, v.roles
	}
	s := string(b)
	if len(b) <= maxInternSize {
		if len(c.all) >= maxInterned {
			clear(c.all)
			clear(c.fast[:])
		}
		c.all[s] = cached{s: s}
		*e = cached{s: s}
	}
	return s, 0
}

// getValue is get for dimension values, whose cardinality is often unbounded (instance
// ids, request paths). Values have their own map, which stops taking new values when
// full instead of starting afresh, so a stream of ever-new values costs one lookup and
// an allocation each rather than constant churn; it is renewed every valueEpoch bodies
// so that the values kept follow the ones in use.
func (c *strCache) getValue(b []byte) (string, uint8) {
	view := unsafe.String(unsafe.SliceData(b), len(b)) // only compared and hashed, never kept
	e := &c.fast[hash(view)]
	if e.s == view {
		return e.s, e.roles
	}
	if v, ok := c.values[view]; ok {
		*e = v
		return v.s, v.roles
	}
	s := string(b)
	if len(b) <= maxInternSize {
		if c.values == nil {
			c.values = make(map[string]cached)
		}
		if len(c.values) < maxInterned {
			c.values[s] = cached{s: s}
		}
		*e = cached{s: s}
	}
	return s, 0
}

// validatedValue records that value s passed validation.
func (c *strCache) validatedValue(s string) {
	if v, ok := c.values[s]; ok {
		v.roles |= roleDimValue
		c.values[s] = v
	}
	if e := &c.fast[hash(s)]; e.s == s {
		e.roles |= roleDimValue
	}
}

// valueEpoch is how many bodies a full value map serves before it is renewed.
const valueEpoch = 256

// body is called once per decoded body.
func (c *strCache) body() {
	c.bodies++
	if c.bodies%valueEpoch == 0 && len(c.values) >= maxInterned {
		clear(c.values)
		clear(c.fast[:])
	}
}

// validated records that s has passed validation in role.
func (c *strCache) validated(s string, role uint8) {
	if v, ok := c.all[s]; ok {
		v.roles |= role
		c.all[s] = v
		if e := &c.fast[hash(s)]; e.s == s {
			*e = v
		}
	}
}
