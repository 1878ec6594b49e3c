package metric

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The binary encoding of a Bucket. One header byte holds the version in its
// high four bits and the form in its low four; the rest depends on the form
// (f64 = 8 bytes little-endian IEEE 754; weight = uvarint 2k for a whole
// number k < 2^53, else the byte 0x01 and an f64):
//
//	formEmpty    nothing
//	formSingle   f64 value                       one sample: 9 bytes in all
//	formSummary  weight n, f64 sum, min, max     no distribution
//	formLost     weight n, f64 sum, value        all equal, values lost
//	formRaw      weight n, f64 sum, min, max, uvarint k, k × (f64 value, weight)
//	formSketch   weight n, f64 sum, min, max, weight zeros, varint offset,
//	             uvarint k, k × weight
//
// Decoding an encoding gives back a bucket that behaves exactly like the
// original, raw pairs in the same order, and that encodes to the same bytes.
const bucketVersion = 1

const (
	formEmpty byte = iota
	formSingle
	formSummary
	formLost
	formRaw
	formSketch
)

// AppendBinary appends the encoding of b to dst and returns the result.
func (b *Bucket) AppendBinary(dst []byte) []byte {
	bits := math.Float64bits
	form := formSummary
	switch {
	case b.n == 0:
		return append(dst, bucketVersion<<4|formEmpty)
	case b.d == nil && b.n == 1 && bits(b.sum) == bits(b.lo) && bits(b.lo) == bits(b.hi):
		return appendF64(append(dst, bucketVersion<<4|formSingle), b.lo)
	case b.d == nil:
	case b.d.lost:
		dst = append(dst, bucketVersion<<4|formLost)
		return appendF64(appendF64(appendWeight(dst, b.n), b.sum), b.lo)
	case b.d.sk != nil:
		form = formSketch
	default:
		form = formRaw
	}
	dst = append(dst, bucketVersion<<4|form)
	dst = appendWeight(dst, b.n)
	for _, f := range [...]float64{b.sum, b.lo, b.hi} {
		dst = appendF64(dst, f)
	}
	switch form {
	case formRaw:
		dst = binary.AppendUvarint(dst, uint64(len(b.d.pairs)))
		for _, p := range b.d.pairs {
			dst = appendWeight(appendF64(dst, p.v), p.w)
		}
	case formSketch:
		sk := b.d.sk
		dst = appendWeight(dst, sk.zero)
		offset := sk.offset
		if len(sk.bins) == 0 {
			offset = 0
		}
		dst = binary.AppendVarint(dst, int64(offset))
		dst = binary.AppendUvarint(dst, uint64(len(sk.bins)))
		for _, w := range sk.bins {
			dst = appendWeight(dst, w)
		}
	}
	return dst
}

func appendF64(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// appendWeight encodes a weight ≥ 0, compactly when it is a whole number.
func appendWeight(dst []byte, w float64) []byte {
	if w >= 0 && w < 1<<53 && w == math.Trunc(w) {
		return binary.AppendUvarint(dst, uint64(w)<<1)
	}
	return appendF64(append(dst, 1), w)
}

// errBucketEncoding is wrapped by every decoding error.
var errBucketEncoding = errors.New("metric: invalid bucket encoding")

// UnmarshalBinary decodes one bucket from the start of p into b and returns
// the number of bytes it used, so that encodings can be concatenated. On
// error b is unchanged.
func (b *Bucket) UnmarshalBinary(p []byte) (int, error) {
	d := decoder{p: p}
	nb, err := d.bucket()
	if err == nil {
		err = d.err
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errBucketEncoding, err)
	}
	*b = nb
	return d.off, nil
}

// decoder reads from p at off; the first error sticks and reads return zeros.
type decoder struct {
	p   []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || d.off >= len(d.p) {
		d.fail("truncated")
		return 0
	}
	d.off++
	return d.p[d.off-1]
}

// f64 reads a finite float64.
func (d *decoder) f64() float64 {
	if d.err != nil || len(d.p)-d.off < 8 {
		d.fail("truncated")
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.p[d.off:]))
	d.off += 8
	if math.IsNaN(f) || math.IsInf(f, 0) {
		d.fail("non-finite number at byte %d", d.off-8)
	}
	return f
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	u, k := binary.Uvarint(d.p[d.off:])
	if k <= 0 {
		d.fail("bad varint at byte %d", d.off)
		return 0
	}
	d.off += k
	return u
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Varint(d.p[d.off:])
	if k <= 0 {
		d.fail("bad varint at byte %d", d.off)
		return 0
	}
	d.off += k
	return v
}

// weight reads a weight ≥ 0.
func (d *decoder) weight() float64 {
	u := d.uvarint()
	switch {
	case u == 1:
		if w := d.f64(); w >= 0 {
			return w
		}
		d.fail("negative weight at byte %d", d.off-8)
	case u&1 == 0 && u>>1 < 1<<53:
		return float64(u >> 1)
	default:
		d.fail("bad weight at byte %d", d.off)
	}
	return 0
}

// count reads a number of at most limit items of at least size bytes each.
func (d *decoder) count(limit, size int) int {
	u := d.uvarint()
	if u > uint64(limit) || (d.err == nil && u*uint64(size) > uint64(len(d.p)-d.off)) {
		d.fail("%d items do not fit", u)
		return 0
	}
	return int(u)
}

func (d *decoder) bucket() (Bucket, error) {
	h := d.byte()
	if d.err != nil {
		return Bucket{}, d.err
	}
	if h>>4 != bucketVersion {
		return Bucket{}, fmt.Errorf("unknown version %d", h>>4)
	}
	form := h & 0xf
	var b Bucket
	switch form {
	case formEmpty:
		return b, nil
	case formSingle:
		v := d.f64()
		return Bucket{n: 1, sum: v, lo: v, hi: v}, nil
	case formLost:
		b.n, b.sum, b.lo = d.weight(), d.f64(), d.f64()
		b.hi, b.d = b.lo, &dist{lost: true}
	case formSummary, formRaw, formSketch:
		b.n, b.sum, b.lo, b.hi = d.weight(), d.f64(), d.f64(), d.f64()
	default:
		return Bucket{}, fmt.Errorf("unknown form %d", form)
	}
	switch {
	case d.err != nil:
		return Bucket{}, d.err
	case !(b.n > 0) || b.lo > b.hi:
		return Bucket{}, fmt.Errorf("inconsistent summary")
	case form != formSummary && b.lo < 0:
		return Bucket{}, fmt.Errorf("distribution with a negative minimum")
	}
	switch form {
	case formRaw:
		b.d = d.raw()
	case formSketch:
		b.d = d.sketch()
	}
	return b, d.err
}

func (d *decoder) raw() *dist {
	k := d.count(maxExactValues, 9)
	if d.err == nil && k == 0 {
		d.fail("no raw values")
	}
	dd := &dist{pairs: make([]pair, k)}
	for i := range dd.pairs {
		p := pair{d.f64(), d.weight()}
		if d.err == nil && (p.v < 0 || !(p.w > 0)) {
			d.fail("raw value %d: value %g, weight %g", i, p.v, p.w)
		}
		if i == dd.sorted && (i == 0 || p.v > dd.pairs[i-1].v) {
			dd.sorted++
		}
		dd.pairs[i] = p
	}
	if k > compactLimit(dd.sorted) {
		d.fail("%d raw values, %d of them sorted", k, dd.sorted)
	}
	return dd
}

func (d *decoder) sketch() *dist {
	sk := &sketch{zero: d.weight()}
	offset := d.varint()
	k := d.count(sketchMaxBins, 1)
	if d.err == nil && (offset < sketchMinIndex || offset+int64(k) > sketchMaxIndex) {
		d.fail("sketch bins %d+%d out of range", offset, k)
	}
	sk.offset = int(offset)
	if k > 0 {
		sk.bins = make([]float64, k)
	}
	for i := range sk.bins {
		sk.bins[i] = d.weight()
	}
	return &dist{sk: sk}
}
