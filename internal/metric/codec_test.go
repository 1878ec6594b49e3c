package metric

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
)

// codecBuckets are buckets in every encoded form.
func codecBuckets() map[string]*Bucket {
	withSet := func(b *Bucket, s StatSet) *Bucket { b.AddSet(s); return b }
	withN := func(b *Bucket, v, c float64) *Bucket { b.AddN(v, c); return b }
	spread := func(n int) *Bucket {
		var b Bucket
		for i := range n {
			b.Add(float64((i*7919)%100003) / 7)
		}
		b.AddN(0, 3)
		return &b
	}
	sorted := bucketOf(1, 2, 3)
	sorted.Merge(bucketOf(2.5))
	return map[string]*Bucket{
		"empty":            {},
		"single":           bucketOf(42.25),
		"single negative":  bucketOf(-1e-300),
		"uniform":          bucketOf(7, 7, 7),
		"uniform fraction": withN(&Bucket{}, 0.1, 0.3),
		"lost":             withSet(&Bucket{}, StatSet{4, 20, 2, 8}),
		"lost uniform":     withSet(&Bucket{}, StatSet{3, 14, 5, 5}),
		"negative":         bucketOf(3, -2, 1),
		"raw in order":     bucketOf(1, 2, 3, 4),
		"raw unsorted":     withN(bucketOf(5, 1, 3, 1, 0), 2, 0.5),
		"raw merged":       sorted,
		"raw 1000":         spread(999),
		"sketch":           spread(5000),
		"sketch of 2":      withN(withN(spread(1001), 1e-300, 1), 1e300, 2.5),
	}
}

func TestBucketBinaryRoundTrip(t *testing.T) {
	var all []byte
	var names []string
	for name, b := range codecBuckets() {
		enc := b.AppendBinary(nil)
		var got Bucket
		got.Add(99) // decoding replaces whatever was there
		n, err := got.UnmarshalBinary(enc)
		if err != nil || n != len(enc) {
			t.Fatalf("%s: UnmarshalBinary = %d, %v; want %d, nil", name, n, err, len(enc))
		}
		if !reflect.DeepEqual(got, *b) {
			t.Errorf("%s: decoded %+v, want %+v", name, got, *b)
		}
		if again := got.AppendBinary(nil); !bytes.Equal(again, enc) {
			t.Errorf("%s: re-encoding differs", name)
		}
		sameStats(t, name, &got, b)
		// The decoded bucket goes on exactly like the original.
		for _, x := range []*Bucket{&got, b} {
			x.Add(2)
			x.AddN(1e6, 2)
			x.Merge(bucketOf(3, 0.5))
		}
		sameStats(t, name+" continued", &got, b)
		if !bytes.Equal(got.AppendBinary(nil), b.AppendBinary(nil)) {
			t.Errorf("%s: encodings differ after the same additions", name)
		}
		all = b.AppendBinary(all)
		names = append(names, name)
	}
	// Encodings concatenate.
	for i, name := range names {
		var b Bucket
		n, err := b.UnmarshalBinary(all)
		if err != nil {
			t.Fatalf("bucket %d (%s) of the concatenation: %v", i, name, err)
		}
		all = all[n:]
	}
	if len(all) != 0 {
		t.Errorf("%d bytes left over", len(all))
	}
}

func TestBucketBinarySize(t *testing.T) {
	for _, tt := range []struct {
		b    *Bucket
		want int
	}{
		{&Bucket{}, 1},
		{bucketOf(3.5), 9},
		{bucketOf(3.5, 3.5), 1 + 1 + 3*8},
		{bucketOf(1, 2), 1 + 1 + 3*8 + 1 + 2*(8+1)},
	} {
		if got := len(tt.b.AppendBinary(nil)); got != tt.want {
			t.Errorf("encoding of %+v is %d bytes, want %d", *tt.b, got, tt.want)
		}
	}
}

func TestBucketUnmarshalErrors(t *testing.T) {
	nan := math.Float64bits(math.NaN())
	for name, p := range map[string][]byte{
		"empty input":       nil,
		"unknown version":   {0x20},
		"unknown form":      {0x1f},
		"NaN value":         {0x11, byte(nan), byte(nan >> 8), byte(nan >> 16), byte(nan >> 24), byte(nan >> 32), byte(nan >> 40), byte(nan >> 48), byte(nan >> 56)},
		"zero count":        append([]byte{0x12, 0}, make([]byte, 24)...),
		"bad weight":        append([]byte{0x12, 3}, make([]byte, 24)...),
		"too many raw":      append(append([]byte{0x14, 2}, make([]byte, 24)...), 0xe9, 0x07),
		"no raw values":     append(append([]byte{0x14, 2}, make([]byte, 24)...), 0),
		"negative sketched": append(appendF64(appendF64(appendF64([]byte{0x15, 2}, 0), -1), 1), 0, 0, 0),
	} {
		b := bucketOf(5)
		n, err := b.UnmarshalBinary(p)
		if err == nil || n != 0 || !errors.Is(err, errBucketEncoding) {
			t.Errorf("%s: UnmarshalBinary = %d, %v; want an error", name, n, err)
		}
		if b.SampleCount() != 1 || b.Max() != 5 {
			t.Errorf("%s: a failed decoding changed the bucket", name)
		}
	}
	// Every truncation of a valid encoding is an error.
	for name, b := range codecBuckets() {
		enc := b.AppendBinary(nil)
		for i := range len(enc) {
			var got Bucket
			if _, err := got.UnmarshalBinary(enc[:i]); err == nil {
				t.Errorf("%s: %d of %d bytes decoded", name, i, len(enc))
			}
		}
	}
}

func FuzzBucketUnmarshal(f *testing.F) {
	for _, b := range codecBuckets() {
		f.Add(b.AppendBinary(nil))
	}
	f.Add([]byte{0x15, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xd0, 0xa9, 4, 1, 2})
	f.Add([]byte{0x14, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	stats := make([]Statistic, len(allStatistics))
	for i, text := range allStatistics {
		stats[i] = stat(f, text)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var b Bucket
		n, err := b.UnmarshalBinary(p)
		if err != nil {
			if n != 0 || b != (Bucket{}) {
				t.Fatalf("failed decoding returned %d and changed the bucket", n)
			}
			return
		}
		if n < 1 || n > len(p) {
			t.Fatalf("used %d of %d bytes", n, len(p))
		}
		enc := b.AppendBinary(nil)
		var c Bucket
		if m, err := c.UnmarshalBinary(enc); err != nil || m != len(enc) {
			t.Fatalf("re-encoding does not decode: %d, %v", m, err)
		}
		if again := c.AppendBinary(nil); !bytes.Equal(again, enc) {
			t.Fatalf("re-encoding is not stable")
		}
		for _, s := range stats {
			b.Statistic(s)
		}
		b.Add(1)
		b.AddN(1e300, 3)
		b.Merge(&c)
		c.Merge(&b)
		c.Add(0)
		for _, s := range stats {
			b.Statistic(s)
			c.Statistic(s)
		}
	})
}
