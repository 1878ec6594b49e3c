package graph

import (
	"image"
	"image/color"
)

// Colour indexes of the palette. A paletted image keeps the PNG small (4 bits a pixel)
// and the drawing exact: no anti-aliasing, so the same input gives the same bytes.
const (
	cBackground uint8 = iota
	cGrid
	cAxis
	cText
	cSeries
	cThreshold
	cMark
)

var palette = color.Palette{
	cBackground: color.RGBA{0xFF, 0xFF, 0xFF, 0xFF},
	cGrid:       color.RGBA{0xE6, 0xE8, 0xEB, 0xFF},
	cAxis:       color.RGBA{0xAF, 0xB8, 0xC1, 0xFF},
	cText:       color.RGBA{0x24, 0x29, 0x2F, 0xFF},
	cSeries:     color.RGBA{0x09, 0x69, 0xDA, 0xFF},
	cThreshold:  color.RGBA{0xD9, 0x3F, 0x0B, 0xFF},
	cMark:       color.RGBA{0x6E, 0x77, 0x81, 0xFF},
}

// setPixel sets one pixel, ignoring coordinates outside the image.
func setPixel(img *image.Paletted, x, y int, c uint8) {
	if !(image.Point{x, y}.In(img.Rect)) {
		return
	}
	img.Pix[img.PixOffset(x, y)] = c
}

// hline draws a horizontal line from x0 to x1 inclusive; a dash pattern of on and off
// pixels (0, 0 for solid) starts at x0.
func hline(img *image.Paletted, x0, x1, y int, c uint8, on, off int) {
	for x := x0; x <= x1; x++ {
		if on > 0 && (x-x0)%(on+off) >= on {
			continue
		}
		setPixel(img, x, y, c)
	}
}

// vline draws a vertical line from y0 to y1 inclusive, dashed like hline.
func vline(img *image.Paletted, x, y0, y1 int, c uint8, on, off int) {
	for y := y0; y <= y1; y++ {
		if on > 0 && (y-y0)%(on+off) >= on {
			continue
		}
		setPixel(img, x, y, c)
	}
}

// clip limits the pixels a stroke may touch to a rectangle (the plot area).
type clip struct {
	img *image.Paletted
	r   image.Rectangle
}

// dot paints a 2×2 square with its top-left corner at (x, y): the pen of the series.
func (k clip) dot(x, y int, c uint8) {
	for dy := range 2 {
		for dx := range 2 {
			p := image.Point{x + dx, y + dy}
			if p.In(k.r) {
				k.img.Pix[k.img.PixOffset(p.X, p.Y)] = c
			}
		}
	}
}

// line strokes a 2-pixel line from (x0, y0) to (x1, y1) (Bresenham with a 2×2 pen).
func (k clip) line(x0, y0, x1, y1 int, c uint8) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		k.dot(x0, y0, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
