package logo

import (
	"bytes"
	"image"
	"sort"
	"testing"
)

// plainMidCut is midCutter.cut as first written (session 18): the margin
// read pixel by pixel, the flood bounds-checked at every neighbour and its
// spill judged once it is done. The definition the faster one must
// reproduce.
func plainMidCut(pix []uint8, w, h int, mask []uint8, box image.Rectangle, p, minContrast int) (image.Rectangle, []uint8, int, bool) {
	var mc midCutter
	margin := max(2, max(box.Dx(), box.Dy())/8)
	outer := box.Inset(-margin)
	if !outer.In(image.Rect(0, 0, w, h)) {
		return box, nil, 0, false
	}
	// The ground: the margin's mean.
	var gs, gn int
	for y := outer.Min.Y; y < outer.Max.Y; y++ {
		row := pix[y*w : (y+1)*w]
		for x := outer.Min.X; x < outer.Max.X; x++ {
			if y < box.Min.Y || y >= box.Max.Y || x < box.Min.X || x >= box.Max.X {
				gs += int(row[x])
				gn++
			}
		}
	}
	// The ink: inkLevel, unchanged since then.
	ink, n := inkLevel(pix, w, mask, box, p)
	if n == 0 || gn == 0 {
		return box, nil, 0, false
	}
	bw := box.Dx()
	ground := float64(gs) / float64(gn)
	if d := ink - ground; p == 1 && -d < float64(minContrast) || p == 0 && d < float64(minContrast) {
		return box, nil, 0, false
	}
	mid := (ink + ground) / 2
	// Each pixel of outer: on the mark's side of mid or not.
	ow, oh := outer.Dx(), outer.Dy()
	if cap(mc.side) < ow*oh {
		mc.side = make([]uint8, ow*oh)
	}
	side := mc.side[:ow*oh]
	for y := range oh {
		row := pix[(y+outer.Min.Y)*w+outer.Min.X : (y+outer.Min.Y)*w+outer.Max.X]
		for x, v := range row {
			on := float64(v) > mid
			if p == 1 {
				on = float64(v) <= mid
			}
			side[y*ow+x] = 0
			if on {
				side[y*ow+x] = 1
			}
		}
	}
	// Flood from the region's pixels on the mark's side, 8-connected.
	stack := mc.stack[:0]
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			i := (y-outer.Min.Y)*ow + x - outer.Min.X
			if mask[(y-box.Min.Y)*bw+x-box.Min.X] != 0 && side[i] == 1 {
				side[i] = 2
				stack = append(stack, int32(i))
			}
		}
	}
	inner := box.Inset(-1)
	spill, got := 0, 0
	x0, y0, x1, y1 := ow, oh, -1, -1
	for len(stack) > 0 {
		i := int(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		got++
		x, y := i%ow, i/ow
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		if !(image.Point{x + outer.Min.X, y + outer.Min.Y}).In(inner) {
			spill++
		}
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				xx, yy := x+dx, y+dy
				if xx < 0 || yy < 0 || xx >= ow || yy >= oh {
					continue
				}
				if j := yy*ow + xx; side[j] == 1 {
					side[j] = 2
					stack = append(stack, int32(j))
				}
			}
		}
	}
	mc.stack = stack
	if got == 0 || float64(spill) > midSpill*float64(gn) {
		return box, nil, 0, false
	}
	r := image.Rect(x0+outer.Min.X, y0+outer.Min.Y, x1+outer.Min.X+1, y1+outer.Min.Y+1)
	if cap(mc.out) < r.Dx()*r.Dy() {
		mc.out = make([]uint8, r.Dx()*r.Dy())
	}
	out := mc.out[:r.Dx()*r.Dy()]
	same := r == box
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			v := uint8(0)
			if side[(y-outer.Min.Y)*ow+x-outer.Min.X] == 2 {
				v = 1
			}
			k := (y-r.Min.Y)*r.Dx() + x - r.Min.X
			out[k] = v
			if same && v != mask[k] {
				same = false
			}
		}
	}
	if same {
		return box, nil, 0, false
	}
	return r, out, got, true
}

// TestMidCutMatchesDefinition: on the fixture photos, every region of
// either polarity at every level of the ladder, alone and grouped, is cut
// by midCutter.cut exactly as by plainMidCut: the same box, mask, area and
// verdict, for cuts kept, spilled and refused alike.
func TestMidCutMatchesDefinition(t *testing.T) {
	if testing.Short() {
		t.Skip("cuts nine photos at every ladder level")
	}
	cfg := DefaultConfig()
	scenes := loadDir(t, "testdata/scenes")
	names := make([]string, 0, len(scenes))
	for k := range scenes {
		names = append(names, k)
	}
	sort.Strings(names)
	levels := ladderLevels(cfg.LevelStep, 256)
	step := int(levels[1]) - int(levels[0])
	var mc midCutter
	var rl runLabeler
	var buf []uint8
	kept, refused := 0, 0
	check := func(name string, g grayImage, mask []uint8, box image.Rectangle, p int) {
		r, m, n, ok := mc.cut(g.pix, g.w, g.h, mask, box, p, step)
		wr, wm, wn, wok := plainMidCut(g.pix, g.w, g.h, mask, box, p, step)
		if r != wr || n != wn || ok != wok || !bytes.Equal(m, wm) {
			t.Fatalf("%s, box %v, polarity %d: cut (%v, %d, %v) differs from the definition's (%v, %d, %v)", name, box, p, r, n, ok, wr, wn, wok)
		}
		if ok {
			kept++
		} else {
			refused++
		}
	}
	for _, name := range names {
		g, _ := toGray(scenes[name], cfg.MaxSide, false)
		for _, lv := range levels {
			rl.cut(g.pix, g.w, g.h, lv)
			for p := range 2 {
				comps := rl.components(p, nil)
				for k := 1; k < len(comps); k++ {
					if c := comps[k]; cfg.acceptBox(c.box, c.area, g.w, g.h) {
						buf = rl.fill(buf, p, c.box, int32(k))
						check(name, g, buf, c.box, p)
					}
				}
				groupOf, groups := groupComponents(comps, cfg, nil)
				for gi, gr := range groups {
					if !cfg.acceptBox(gr.box, gr.area, g.w, g.h) {
						continue
					}
					var ms []int32
					for l, gl := range groupOf {
						if int(gl) == gi {
							ms = append(ms, int32(l))
						}
					}
					buf = rl.fill(buf, p, gr.box, ms...)
					check(name, g, buf, gr.box, p)
				}
			}
		}
	}
	if kept < 100 || refused < 100 {
		t.Fatalf("%d cuts kept and %d refused: too few to compare", kept, refused)
	}
	t.Logf("%d cuts kept and %d refused, all as defined", kept, refused)
}
