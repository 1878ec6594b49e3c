// Package graph draws the metric of a notification (a notify.Graph) as a small PNG that
// e-mail messages carry inline: the series, the threshold, the moment of the state
// change, a grid and a few labels in a built-in 5×8 bitmap font.
//
// It is pure: no I/O, no clock, no randomness; the same graph gives the same bytes. It
// knows nothing of e-mail or SMTP.
package graph

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"slices"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
)

// Size limits of PNG: smaller leaves no room for the labels, larger is not a thumbnail.
const (
	minWidth, minHeight = 120, 60
	maxWidth, maxHeight = 4096, 4096
)

// Layout in pixels.
const (
	pad       = 6                     // outer margin
	plotTop   = pad + glyphH + 6      // below the title
	labelGap  = 4                     // between an axis and its labels
	plotBelow = labelGap + glyphH + 4 // under the plot: the time labels
)

// PNG draws g as a width×height PNG: white background, light grid, the series as a
// 2-pixel line (points more than twice the median spacing apart are not joined), the
// threshold as a dashed red line, g.Mark as a vertical grey line, y labels at round
// values and the start and end times (UTC). A graph without finite points is drawn as an
// empty frame saying "no data".
func PNG(g *notify.Graph, width, height int) ([]byte, error) {
	if g == nil {
		return nil, errors.New("graph: no graph")
	}
	if width < minWidth || height < minHeight || width > maxWidth || height > maxHeight {
		return nil, fmt.Errorf("graph: size %dx%d is outside %dx%d to %dx%d", width, height, minWidth, minHeight, maxWidth, maxHeight)
	}
	img := image.NewPaletted(image.Rect(0, 0, width, height), palette)
	drawText(img, pad, pad, fitText(title(g), width-2*pad), cText)
	pts := finitePoints(g.Points)
	if len(pts) == 0 {
		plot := image.Rect(pad, plotTop, width-pad, height-pad)
		border(img, plot)
		const msg = "no data"
		drawText(img, (plot.Min.X+plot.Max.X-textWidth(msg))/2, (plot.Min.Y+plot.Max.Y-glyphH)/2, msg, cText)
	} else {
		f := newFrame(g, pts, width, height)
		f.grid(img)
		f.series(img, pts)
		f.marks(img, g)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	return b.Bytes(), nil
}

func title(g *notify.Graph) string {
	switch g.Unit {
	case "", "None":
		return g.Title
	}
	return g.Title + " (" + g.Unit + ")"
}

// finitePoints returns the points with finite values, sorted by time (stable).
func finitePoints(in []notify.Point) []notify.Point {
	out := make([]notify.Point, 0, len(in))
	for _, p := range in {
		if !math.IsNaN(p.V) && !math.IsInf(p.V, 0) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b notify.Point) int { return a.T.Compare(b.T) })
	return out
}

// frame maps values and times to pixels of the plot area.
type frame struct {
	plot   image.Rectangle // Max is exclusive
	lo, hi float64         // the value range, bottom to top
	t0, t1 time.Time       // the time range, left to right
	yTicks []float64
	thr    *float64
}

// newFrame lays out the plot for pts (non-empty, sorted).
func newFrame(g *notify.Graph, pts []notify.Point, width, height int) *frame {
	f := &frame{thr: g.Threshold}
	if f.thr != nil && (math.IsNaN(*f.thr) || math.IsInf(*f.thr, 0)) {
		f.thr = nil
	}
	f.lo, f.hi = valueRange(pts, f.thr)
	f.t0, f.t1 = timeRange(g, pts)
	bottom := height - pad - plotBelow
	f.yTicks = niceTicks(f.lo, f.hi, max(2, min(6, (bottom-plotTop)/28)))
	labelW := 0
	for _, v := range f.yTicks {
		labelW = max(labelW, textWidth(notify.Number(v)))
	}
	f.plot = image.Rect(pad+labelW+labelGap, plotTop, width-pad-charW, bottom)
	return f
}

// valueRange covers the values and the threshold with 10% padding; a flat series gets
// ±10% of its value (±1 at zero).
func valueRange(pts []notify.Point, thr *float64) (lo, hi float64) {
	lo, hi = pts[0].V, pts[0].V
	for _, p := range pts {
		lo, hi = min(lo, p.V), max(hi, p.V)
	}
	if thr != nil {
		lo, hi = min(lo, *thr), max(hi, *thr)
	}
	margin := (hi - lo) * 0.1
	if margin == 0 || math.IsInf(margin, 0) {
		margin = math.Abs(hi) * 0.1
	}
	if margin == 0 || math.IsInf(margin, 0) {
		margin = 1
	}
	return lo - margin, hi + margin
}

// timeRange is g's window, widened to the points; one instant becomes ±1 minute.
func timeRange(g *notify.Graph, pts []notify.Point) (t0, t1 time.Time) {
	t0, t1 = g.Start, g.End
	if first := pts[0].T; t0.IsZero() || first.Before(t0) {
		t0 = first
	}
	if last := pts[len(pts)-1].T; t1.IsZero() || last.After(t1) {
		t1 = last
	}
	if !t1.After(t0) {
		t0, t1 = t0.Add(-time.Minute), t0.Add(time.Minute)
	}
	return t0, t1
}

// y is the pixel row of value v.
func (f *frame) y(v float64) int {
	frac := (v - f.lo) / (f.hi - f.lo)
	return f.plot.Max.Y - 1 - int(math.Round(frac*float64(f.plot.Dy()-1)))
}

// x is the pixel column of time t.
func (f *frame) x(t time.Time) int {
	frac := float64(t.Sub(f.t0)) / float64(f.t1.Sub(f.t0))
	return f.plot.Min.X + int(math.Round(frac*float64(f.plot.Dx()-1)))
}

// grid draws the horizontal lines at the y ticks with their labels, vertical lines at
// round times, the axes and the time labels.
func (f *frame) grid(img *image.Paletted) {
	p := f.plot
	for _, v := range f.yTicks {
		y := f.y(v)
		hline(img, p.Min.X, p.Max.X-1, y, cGrid, 0, 0)
		label := notify.Number(v)
		drawText(img, p.Min.X-labelGap-textWidth(label), y-glyphH/2+1, label, cText)
	}
	layout := "15:04"
	if f.t1.Sub(f.t0) >= 24*time.Hour {
		layout = "01-02 15:04"
	}
	start, end := f.t0.UTC().Format(layout), f.t1.UTC().Format(layout)+" UTC"
	ly := p.Max.Y + labelGap
	drawText(img, p.Min.X, ly, start, cText)
	drawText(img, p.Max.X-textWidth(end), ly, end, cText)
	left, right := p.Min.X+textWidth(start)+2*charW, p.Max.X-textWidth(end)-2*charW
	step := timeStep(f.t1.Sub(f.t0))
	for t := f.t0.Truncate(step); !t.After(f.t1); t = t.Add(step) {
		if !t.After(f.t0) {
			continue
		}
		x := f.x(t)
		vline(img, x, p.Min.Y, p.Max.Y-1, cGrid, 0, 0)
		label := t.UTC().Format(layout)
		if lx := x - textWidth(label)/2; lx >= left && lx+textWidth(label) <= right {
			drawText(img, lx, ly, label, cText)
			left = lx + textWidth(label) + 2*charW
		}
	}
	border(img, p)
}

// border draws the left and bottom axes of a plot area.
func border(img *image.Paletted, p image.Rectangle) {
	vline(img, p.Min.X-1, p.Min.Y, p.Max.Y, cAxis, 0, 0)
	hline(img, p.Min.X-1, p.Max.X-1, p.Max.Y, cAxis, 0, 0)
}

// series draws the points as a line, not joining points further apart than twice the
// median spacing; a point joined to neither neighbour is drawn as a dot.
func (f *frame) series(img *image.Paletted, pts []notify.Point) {
	k := clip{img: img, r: f.plot}
	gap := 2 * medianSpacing(pts)
	joined := func(i int) bool { // whether point i joins point i-1
		return i > 0 && i < len(pts) && (gap == 0 || pts[i].T.Sub(pts[i-1].T) <= gap)
	}
	px, py := 0, 0
	for i, p := range pts {
		x, y := f.x(p.T), f.y(p.V)
		switch {
		case joined(i):
			k.line(px, py, x, y, cSeries)
		case !joined(i + 1):
			k.dot(x, y, cSeries)
		}
		px, py = x, y
	}
}

// marks draws the state change and the threshold, on top of the series.
func (f *frame) marks(img *image.Paletted, g *notify.Graph) {
	if m := g.Mark; !m.IsZero() && !m.Before(f.t0) && !m.After(f.t1) {
		vline(img, f.x(m), f.plot.Min.Y, f.plot.Max.Y-1, cMark, 0, 0)
	}
	if f.thr != nil {
		hline(img, f.plot.Min.X, f.plot.Max.X-1, f.y(*f.thr), cThreshold, 6, 4)
	}
}

// medianSpacing is the median of the positive time steps between points (0 when none).
func medianSpacing(pts []notify.Point) time.Duration {
	steps := make([]time.Duration, 0, len(pts))
	for i := 1; i < len(pts); i++ {
		if d := pts[i].T.Sub(pts[i-1].T); d > 0 {
			steps = append(steps, d)
		}
	}
	if len(steps) == 0 {
		return 0
	}
	slices.Sort(steps)
	return steps[len(steps)/2]
}

// niceTicks returns round values (1, 2 or 5 × 10^k apart) within [lo, hi], about n of them.
func niceTicks(lo, hi float64, n int) []float64 {
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for i, first := 0, math.Ceil(lo/step); i < 2*n+2; i++ {
		v := (first + float64(i)) * step
		if v > hi {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0 // no "-0" or 1e-17
		}
		ticks = append(ticks, v)
	}
	return ticks
}

// timeStep is a round spacing of vertical grid lines: at most 8 over span.
func timeStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
		30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	} {
		if span/s <= 8 {
			return s
		}
	}
	return 24 * time.Hour * (span/(24*time.Hour)/8 + 1)
}
