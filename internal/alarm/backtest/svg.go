package backtest

import (
	"fmt"
	"io"
	"math"
)

// WriteSVG draws the statistic of each evaluation over time, the threshold, and the
// alarm's state as coloured bands (red ALARM, green OK, grey INSUFFICIENT_DATA).
func WriteSVG(w io.Writer, r *Result, threshold float64, title string) error {
	const width, height, pad = 960.0, 320.0, 40.0
	if len(r.Points) == 0 {
		return fmt.Errorf("backtest: nothing to draw")
	}
	lo, hi := threshold, threshold
	for _, p := range r.Points {
		if p.Present {
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	span := hi - lo
	lo, hi = lo-span*0.05, hi+span*0.05
	t0, t1 := r.Points[0].At, r.Points[len(r.Points)-1].At
	dur := t1.Sub(t0).Seconds()
	if dur <= 0 {
		dur = 1
	}
	x := func(i int) float64 { return pad + (width-2*pad)*r.Points[i].At.Sub(t0).Seconds()/dur }
	y := func(v float64) float64 { return height - pad - (height-2*pad)*(v-lo)/(hi-lo) }
	colour := map[string]string{"ALARM": "#f4c7c3", "OK": "#d9ead3", "INSUFFICIENT_DATA": "#eeeeee"}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(w, `<title>%s</title><text x="%g" y="20">%s</text>`+"\n", escape(title), pad, escape(title))
	for i := range r.Points {
		right := width - pad
		if i+1 < len(r.Points) {
			right = x(i + 1)
		}
		fmt.Fprintf(w, `<rect x="%.1f" y="%g" width="%.2f" height="%g" fill="%s"/>`+"\n", x(i), pad, math.Max(right-x(i), 0.5), height-2*pad, colour[string(r.Points[i].State)])
	}
	fmt.Fprintf(w, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#cc0000" stroke-dasharray="6 4"/>`+"\n", pad, y(threshold), width-pad, y(threshold))
	fmt.Fprintf(w, `<text x="%g" y="%.1f" fill="#cc0000">threshold %g</text>`+"\n", width-pad-120, y(threshold)-4, threshold)
	fmt.Fprint(w, `<polyline fill="none" stroke="#1f4e79" stroke-width="1.5" points="`)
	for i, p := range r.Points {
		if p.Present {
			fmt.Fprintf(w, "%.1f,%.1f ", x(i), y(p.Value))
		}
	}
	fmt.Fprint(w, "\"/>\n")
	fmt.Fprintf(w, `<text x="%g" y="%g">%s</text><text x="%g" y="%g" text-anchor="end">%s</text>`+"\n",
		pad, height-12, t0.UTC().Format("2006-01-02 15:04"), width-pad, height-12, t1.UTC().Format("2006-01-02 15:04"))
	_, err := fmt.Fprint(w, "</svg>\n")
	return err
}

func escape(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case '<':
			out = append(out, []rune("&lt;")...)
		case '>':
			out = append(out, []rune("&gt;")...)
		case '&':
			out = append(out, []rune("&amp;")...)
		default:
			out = append(out, r)
		}
	}
	return string(out)
}
