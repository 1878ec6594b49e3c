package graph

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
)

var t0 = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

// series is n points 1 minute apart rising from 10 to 50.
func series(n int) []notify.Point {
	pts := make([]notify.Point, n)
	for i := range pts {
		pts[i] = notify.Point{T: t0.Add(time.Duration(i) * time.Minute), V: 10 + 40*float64(i)/float64(max(1, n-1))}
	}
	return pts
}

func decode(t *testing.T, b []byte, w, h int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != (image.Point{w, h}) {
		t.Fatalf("size = %v, want %dx%d", got, w, h)
	}
	return img
}

func same(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// count counts the pixels of colour c in the rows y0…y1 of img.
func count(img image.Image, c color.Color, y0, y1 int) int {
	n := 0
	for y := y0; y <= y1; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if same(img.At(x, y), c) {
				n++
			}
		}
	}
	return n
}

func TestPNGThresholdAndSeries(t *testing.T) {
	thr := 40.0
	g := &notify.Graph{Title: "CPUUtilization", Unit: "Percent", Threshold: &thr, Points: series(120),
		Start: t0, End: t0.Add(2 * time.Hour), Mark: t0.Add(90 * time.Minute)}
	b, err := PNG(g, 600, 200)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b, 600, 200)

	f := newFrame(g, finitePoints(g.Points), 600, 200)
	row := f.y(thr)
	if top, bottom := f.y(50), f.y(10); row <= top || row >= bottom {
		t.Fatalf("threshold row %d is not between the rows of the series' max (%d) and min (%d)", row, top, bottom)
	}
	// Dashed: 6 on, 4 off over the plot width, less where the series crosses it.
	if n, want := count(img, palette[cThreshold], row, row), f.plot.Dx()*6/10-10; n < want {
		t.Errorf("threshold row %d has %d red pixels, want at least %d", row, n, want)
	}
	if n := count(img, palette[cThreshold], 0, 199) - count(img, palette[cThreshold], row, row); n != 0 {
		t.Errorf("%d red pixels outside the threshold row", n)
	}
	if n := count(img, palette[cSeries], 0, 199); n < 2*f.plot.Dx() {
		t.Errorf("%d series pixels, want a 2-pixel line across the plot (≥ %d)", n, 2*f.plot.Dx())
	}
	// The line rises left to right: the series pixel in the first point's column is below
	// (a larger row than) the one in the last point's column.
	first, last := seriesRow(img, f.x(g.Points[0].T)), seriesRow(img, f.x(g.Points[119].T))
	if first < 0 || last < 0 || first <= last {
		t.Errorf("series rows at the left and right edges = %d, %d; want a rising line", first, last)
	}
	if x := f.x(g.Mark); !same(img.At(x, f.plot.Min.Y+1), palette[cMark]) {
		t.Errorf("no mark line at column %d", x)
	}
}

func seriesRow(img image.Image, x int) int {
	for y := range img.Bounds().Max.Y {
		if same(img.At(x, y), palette[cSeries]) {
			return y
		}
	}
	return -1
}

func TestPNGGapsNotJoined(t *testing.T) {
	pts := series(60)
	pts = append(pts[:20], pts[40:]...) // a 21-minute hole in 1-minute data
	g := &notify.Graph{Title: "gap", Points: pts}
	b, err := PNG(g, 600, 200)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b, 600, 200)
	f := newFrame(g, pts, 600, 200)
	mid := f.x(t0.Add(30 * time.Minute))
	if y := seriesRow(img, mid); y >= 0 {
		t.Errorf("series drawn at column %d (row %d), inside the gap", mid, y)
	}
}

func TestPNGFlatAndEmpty(t *testing.T) {
	flat := []notify.Point{{T: t0, V: 0}, {T: t0.Add(time.Minute), V: 0}, {T: t0.Add(2 * time.Minute), V: 0}}
	for name, g := range map[string]*notify.Graph{
		"flat":        {Title: "flat", Points: flat},
		"single":      {Title: "single", Points: flat[:1]},
		"empty":       {Title: "empty"},
		"nan":         {Title: "nan", Points: []notify.Point{{T: t0, V: math.NaN()}}},
		"out of time": {Title: "late", Points: flat, Start: t0.Add(time.Hour), End: t0.Add(2 * time.Hour)},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := PNG(g, 300, 100)
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, b, 300, 100)
			n := count(img, palette[cSeries], 0, 99)
			if hasData := len(finitePoints(g.Points)) > 0; hasData != (n > 0) {
				t.Errorf("%d series pixels; data: %v", n, hasData)
			}
			if n := count(img, palette[cText], 0, 99); n == 0 {
				t.Error("no text drawn")
			}
		})
	}
}

func TestPNGFlatRangeIsVisible(t *testing.T) {
	for _, v := range []float64{0, 5, -3, 1e9} {
		lo, hi := valueRange([]notify.Point{{T: t0, V: v}}, nil)
		if !(lo < v && v < hi) {
			t.Errorf("value %v: range %v…%v does not surround it", v, lo, hi)
		}
	}
}

func TestPNGDeterministic(t *testing.T) {
	thr := 30.0
	g := &notify.Graph{Title: "x", Threshold: &thr, Points: series(500), Mark: t0.Add(time.Hour)}
	a, err := PNG(g, 600, 200)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if b, _ := PNG(g, 600, 200); !bytes.Equal(a, b) {
			t.Fatal("two renderings of the same graph differ")
		}
	}
}

func TestPNGRejectsBadInput(t *testing.T) {
	if _, err := PNG(nil, 600, 200); err == nil {
		t.Error("nil graph: no error")
	}
	for _, s := range [][2]int{{0, 200}, {600, 10}, {100000, 200}} {
		if _, err := PNG(&notify.Graph{}, s[0], s[1]); err == nil {
			t.Errorf("size %v: no error", s)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []float64
	}{
		{6, 54, []float64{10, 20, 30, 40, 50}},
		{-0.1, 0.1, []float64{-0.1, -0.05, 0, 0.05, 0.1}},
		{4.5, 5.5, []float64{4.6, 4.8, 5, 5.2, 5.4}},
	} {
		got := niceTicks(c.lo, c.hi, 5)
		if len(got) != len(c.want) {
			t.Errorf("niceTicks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-9 {
				t.Errorf("niceTicks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
				break
			}
		}
	}
}

func BenchmarkPNG(b *testing.B) {
	thr := 45.0
	pts := make([]notify.Point, 1440)
	for i := range pts {
		pts[i] = notify.Point{T: t0.Add(time.Duration(i) * time.Minute), V: 40 + 10*math.Sin(float64(i)/60)}
	}
	g := &notify.Graph{Title: "AWS/EC2 CPUUtilization", Unit: "Percent", Threshold: &thr, Points: pts,
		Start: t0, End: t0.Add(24 * time.Hour), Mark: t0.Add(20 * time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PNG(g, 600, 200); err != nil {
			b.Fatal(err)
		}
	}
}
