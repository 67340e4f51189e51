//go:build cgo

package ocr

import (
	"image"
	"sync"

	"counterlens/vision/internal/runs"
)

// scratch holds the buffers the region search fills for every box and
// every scale of a photo (runs, union-find forests, components, contour
// boxes), kept from one call to the next instead of grown from nothing
// each time: a photo without text went through hundreds of small slices
// whose growing, clearing and collecting cost more CPU than filling them.
// A scratch is used by one search at a time.
type scratch struct {
	set, above, below runs.Set
	forest            runs.Forest
	idx               []int32
	comps             []component
	first             []int
	borders           []border
	boxes             []image.Rectangle
}

// border is a contour's box and where findContours' raster scan meets it.
type border struct {
	r    image.Rectangle
	y, x int
}

// scratches keeps scratch buffers between searches: findLines is called
// with no tesseract client at hand (before one is borrowed, and by the
// benchmarks on their own), so the buffers cannot live with a client.
var scratches = sync.Pool{New: func() any { return new(scratch) }}
