package logo

import (
	"context"
	"embed"
	"fmt"
	"image"
	_ "image/jpeg" // the null corpus is JPEG
	"io/fs"
	"math"
)

// nullFS is the null corpus: photos without any brand mark (a chessboard,
// candies, a cluttered desk, graffiti, a keyboard, a street, blocks). Every
// reference is scored against their regions once, when prepared; the best
// such score is what that reference reaches by chance on real texture, and
// its reporting threshold is set above it. So a reference that fits
// chessboard corners or candy (simple badges, bow-ties, rings) needs a
// better fit to be reported than a distinctive one, and a threshold on
// Confidence means the same for both.
//
//go:embed nullscenes/*.jpg
var nullFS embed.FS

// nullCandidates extracts the candidate regions of the null corpus.
func nullCandidates(cfg Config) ([]*candidate, error) {
	names, err := fs.Glob(nullFS, "nullscenes/*.jpg")
	if err != nil {
		return nil, err
	}
	var out []*candidate
	for _, n := range names {
		f, err := nullFS.Open(n)
		if err != nil {
			return nil, err
		}
		img, _, err := image.Decode(f)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("logo: null corpus %s: %w", n, err)
		}
		g, _ := toGray(img, cfg.MaxSide, false)
		cs, err := sceneCandidates(context.Background(), g, cfg)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// nullScore is the best score p reaches on the null corpus (0 when nothing
// comes near the reporting range).
func nullScore(p *prepared, null []*candidate, cfg Config) float64 {
	floor := cfg.ShapeMid - 0.1
	best := 0.0
	for _, c := range null {
		cEcc := math.Log(math.Max(c.mo.ecc, 1e-3))
		if math.Abs(cEcc-p.logEcc) > cfg.MaxLogEcc {
			continue
		}
		best = math.Max(best, scoreRef(c, p, cfg, floor))
	}
	return best
}
