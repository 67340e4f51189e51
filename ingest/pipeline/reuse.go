package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"

	"counterlens/models"
	"counterlens/vision"
)

// ImageResults keeps the analysis of pictures by the SHA-256 of their bytes,
// per brand reference set version and analysis settings.
type ImageResults interface {
	ImageResult(ctx context.Context, sha string, refVersion int64, settings string) (models.ImageReport, bool, error)
	SaveImageResult(ctx context.Context, sha string, refVersion int64, settings string, rep models.ImageReport) error
}

// ReusingVision is a [Vision] that analyses each picture once: a picture
// whose bytes were analysed before, against the same reference set version
// and with the same settings, gets the stored report back. A new logo, a
// changed brand or other settings analyse it again. When the store fails,
// the picture is analysed as if it were new.
type ReusingVision struct {
	Vision
	Results ImageResults
	// Settings fingerprints everything besides the reference set that
	// changes what vision reports (see [Fingerprint]).
	Settings string
	Log      *slog.Logger
}

// AnalyzeImage implements [Vision].
func (v ReusingVision) AnalyzeImage(ctx context.Context, data []byte, opt vision.ImageOptions) (models.ImageReport, error) {
	// The version is read before the analysis: the engine then uses this set
	// or a newer one, never an older one than the key says.
	refs, err := v.Vision.Refs(ctx)
	if err != nil {
		return models.ImageReport{}, err
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	settings := Fingerprint(v.Settings, opt)
	rep, ok, err := v.Results.ImageResult(ctx, sha, refs.Version, settings)
	switch {
	case err != nil:
		v.Log.Warn("cannot read stored picture analysis; analysing it again", "sha256", sha, "err", err)
	case ok:
		return rep, nil
	}
	rep, err = v.Vision.AnalyzeImage(ctx, data, opt)
	if err != nil {
		return rep, err
	}
	if err := v.Results.SaveImageResult(ctx, sha, refs.Version, settings, rep); err != nil {
		v.Log.Warn("cannot store picture analysis", "sha256", sha, "err", err)
	}
	return rep, nil
}

// Fingerprint is a short digest of values (JSON-encoded), for
// [ReusingVision.Settings]: equal values, equal fingerprints.
func Fingerprint(values ...any) string {
	h := sha256.New()
	for _, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte(err.Error())
		}
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
