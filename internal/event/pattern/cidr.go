package pattern

import (
	"bytes"
	"fmt"
	"net/netip"
)

// cidrBlock is a compiled cidr operand: an IPv4 or IPv6 network with its host bits cleared.
type cidrBlock struct {
	addr [16]byte // IPv4 in the first 4 bytes
	bits int
	v4   bool
	text string // the canonical form, for String
}

// parseCIDR compiles a cidr operand. Like event-ruler it rejects single-address blocks
// (/32 for IPv4, /128 for IPv6) and ignores host bits (10.0.0.7/24 is 10.0.0.0/24).
func parseCIDR(s string) (*cidrBlock, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid CIDR block (want an address/bits, like 10.0.0.0/24)", quote(s))
	}
	p = p.Masked()
	c := &cidrBlock{bits: p.Bits(), v4: p.Addr().Is4(), text: p.String()}
	if c.v4 {
		a := p.Addr().As4()
		copy(c.addr[:], a[:])
		if c.bits >= 32 {
			return nil, fmt.Errorf("CIDR block %s must have fewer than 32 bits (use an exact string for one address)", quote(s))
		}
	} else {
		c.addr = p.Addr().As16()
		if c.bits >= 128 {
			return nil, fmt.Errorf("CIDR block %s must have fewer than 128 bits (use an exact string for one address)", quote(s))
		}
	}
	return c, nil
}

// contains reports whether v is the text of an IP address inside the block. Families must
// agree (an IPv4-mapped IPv6 address is not in an IPv4 block) and addresses with a zone never
// match, as with netip.Prefix.Contains.
func (c *cidrBlock) contains(v []byte) bool {
	ip, v4, ok := parseIP(v)
	if !ok || v4 != c.v4 {
		return false
	}
	full := c.bits / 8
	if !bytes.Equal(ip[:full], c.addr[:full]) {
		return false
	}
	if rem := c.bits % 8; rem != 0 {
		mask := byte(0xff) << (8 - rem)
		return ip[full]&mask == c.addr[full]
	}
	return true
}

// parseIP parses an IPv4 or IPv6 address literal with the rules of netip.ParseAddr, without
// allocating. Addresses with a zone are reported as not ok (they are never in a block).
func parseIP(b []byte) (ip [16]byte, v4, ok bool) {
	for _, c := range b {
		switch c {
		case '.':
			return ip, true, parseIPv4(b, ip[:4])
		case ':':
			ip, ok = parseIPv6(b)
			return ip, false, ok
		case '%':
			return ip, false, false
		}
	}
	return ip, false, false
}

// parseIPv4 parses dotted-decimal b into out[:4]: four fields of 0-255 without leading zeros.
func parseIPv4(b []byte, out []byte) bool {
	field, val, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return false // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return false
			}
		case c == '.':
			if digits == 0 || field == 3 {
				return false
			}
			out[field] = byte(val)
			field++
			val, digits = 0, 0
		default:
			return false
		}
	}
	if field != 3 || digits == 0 {
		return false
	}
	out[3] = byte(val)
	return true
}

// parseIPv6 parses colon-hex b, with at most one "::" and an optional trailing dotted IPv4.
func parseIPv6(b []byte) (ip [16]byte, ok bool) {
	if bytes.IndexByte(b, '%') >= 0 {
		return ip, false
	}
	s := b
	ellipsis := -1 // byte position in ip where "::" stands
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return ip, true
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, 0
		for ; off < len(s) && unhex(s[off]) >= 0; off++ {
			if off == 4 {
				return ip, false // more than four digits in a group
			}
			acc = acc<<4 | unhex(s[off])
		}
		if off == 0 {
			return ip, false
		}
		if off < len(s) && s[off] == '.' { // trailing IPv4
			if (ellipsis < 0 && i != 12) || i+4 > 16 || !parseIPv4(s, ip[i:i+4]) {
				return ip, false
			}
			i += 4
			s = nil
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[off:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return ip, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return ip, false // a second "::"
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 {
				break
			}
		}
	}
	if len(s) != 0 {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return ip, false // "::" must stand for at least one group
	}
	return ip, true
}
