package policy

import (
	"counterlens/models"
	"counterlens/vision/phash"
)

// PhotoDistance is the largest pHash distance at which a listing picture is
// taken for a copy of an official photo. Measured on the 91 pictures of
// .bench/opencv-data, each re-encoded (JPEG q90 to q30) and resized (0.25x
// to 1.5x) 8 ways (BenchmarkPhotoReuseDistance, docs/policy.md): every copy
// of a real photo stays within 4; distinct pictures are 14 or more apart
// at the 1st percentile, and the only ones within 6 are frames of one
// scene (consecutive video frames at 2, calibration shots of one board at
// 6). 6 leaves copies a margin while keeping similar but distinct product
// shots apart.
const PhotoDistance = 6

// PhotoMatch finds the official photo a picture (its SHA-256 and pHash, as
// in [models.ImageReport]) copies: the same bytes, or the nearest pHash
// within [PhotoDistance]. It returns the photo and the distance (0 for the
// same bytes).
func PhotoMatch(photos []models.Photo, sha256, hash string) (models.Photo, int, bool) {
	for _, p := range photos {
		if sha256 != "" && p.SHA256 == sha256 {
			return p, 0, true
		}
	}
	h, err := phash.ParseHex(hash)
	if err != nil {
		return models.Photo{}, 0, false
	}
	best, bestD := -1, PhotoDistance+1
	for i, p := range photos {
		ph, err := phash.ParseHex(p.PHash)
		if err != nil {
			continue
		}
		if d := phash.Distance(h, ph); d < bestD {
			best, bestD = i, d
		}
	}
	if best < 0 {
		return models.Photo{}, 0, false
	}
	return photos[best], bestD, true
}
