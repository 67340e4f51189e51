package redisq

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
	"counterlens/vision/phash"
)

const (
	keyBrands  = prefix + "brands"
	keyLogos   = prefix + "logos"
	keyLogoImg = prefix + "logoimg"
	keyRefVer  = prefix + "refver"
)

// CreateBrand stores a new brand and gives it an id. A brand whose name
// (case-insensitively) is taken already is ErrConflict.
func (s *Store) CreateBrand(ctx context.Context, b models.Brand) (models.Brand, error) {
	all, err := s.Brands(ctx)
	if err != nil {
		return models.Brand{}, err
	}
	for _, o := range all {
		if strings.EqualFold(o.Name, b.Name) {
			return o, ErrConflict
		}
	}
	b.ID = NewID()
	b.CreatedAt = time.Now().UTC()
	return b, s.putRef(ctx, keyBrands, b.ID, b)
}

// UpdateBrand replaces a brand's policy.
func (s *Store) UpdateBrand(ctx context.Context, b models.Brand) error {
	if _, err := s.Brand(ctx, b.ID); err != nil {
		return err
	}
	return s.putRef(ctx, keyBrands, b.ID, b)
}

// Brand returns one brand.
func (s *Store) Brand(ctx context.Context, id string) (models.Brand, error) {
	return hgetJSON[models.Brand](ctx, s.rdb, keyBrands, id)
}

// Brands returns every brand, oldest first.
func (s *Store) Brands(ctx context.Context) ([]models.Brand, error) {
	bs, err := hgetAllJSON[models.Brand](ctx, s.rdb, keyBrands)
	sort.Slice(bs, func(i, j int) bool { return bs[i].ID < bs[j].ID })
	return bs, err
}

// AddLogo stores a reference logo and its uploaded bytes, and bumps the
// reference version so every analyser picks it up.
func (s *Store) AddLogo(ctx context.Context, l models.Logo, data []byte) (models.Logo, error) {
	if _, err := s.Brand(ctx, l.BrandID); err != nil {
		return models.Logo{}, err
	}
	if l.ID == "" {
		l.ID = NewID()
	}
	l.CreatedAt = time.Now().UTC()
	ix, err := s.LogoIndex(ctx)
	if err != nil {
		return models.Logo{}, err
	}
	old, err := ix.Hashes(ctx, l.ID)
	if err != nil {
		return models.Logo{}, err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, keyLogoImg, l.ID, data)
		p.HSet(ctx, keyLogos, l.ID, mustJSON(l))
		ix.queue(ctx, p, l.ID, old, logoHashes(l))
		p.HDel(ctx, keyLogoDesc, l.ID)
		p.Incr(ctx, keyRefVer)
		queueRetro(ctx, p, l)
		return nil
	})
	return l, wrap(err)
}

// DeleteLogo removes a reference logo.
func (s *Store) DeleteLogo(ctx context.Context, id string) error {
	ix, err := s.LogoIndex(ctx)
	if err != nil {
		return err
	}
	old, err := ix.Hashes(ctx, id)
	if err != nil {
		return err
	}
	return s.deleteRef(ctx, id, func(p redis.Pipeliner) { ix.queue(ctx, p, id, old, nil) }, keyLogos, keyLogoImg, keyLogoDesc)
}

// Logos returns every reference logo (without bytes), oldest first.
func (s *Store) Logos(ctx context.Context) ([]models.Logo, error) {
	ls, err := hgetAllJSON[models.Logo](ctx, s.rdb, keyLogos)
	sort.Slice(ls, func(i, j int) bool { return ls[i].ID < ls[j].ID })
	return ls, err
}

// LogoImages returns the uploaded bytes of the named logos; ids that are gone
// are absent from the map.
func (s *Store) LogoImages(ctx context.Context, ids []string) (map[string][]byte, error) {
	return s.hmgetBytes(ctx, keyLogoImg, ids)
}

// hmgetBytes returns the named fields of hash key that exist.
func (s *Store) hmgetBytes(ctx context.Context, key string, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	vals, err := s.rdb.HMGet(ctx, key, ids...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	for i, v := range vals {
		if str, ok := v.(string); ok {
			out[ids[i]] = []byte(str)
		}
	}
	return out, nil
}

// RefVersion returns a number that changes whenever a brand or logo changes.
func (s *Store) RefVersion(ctx context.Context) (int64, error) {
	v, err := s.rdb.Get(ctx, keyRefVer).Int64()
	if err == redis.Nil {
		return 0, nil
	}
	return v, wrap(err)
}

// logoHashes are the hashes of l filed in the logo index: its perceptual
// hash, when it has a well-formed one.
func logoHashes(l models.Logo) []uint64 {
	h, err := phash.ParseHex(l.PHash)
	if err != nil {
		return nil
	}
	return []uint64{h}
}

// LogosNear returns the reference logos whose perceptual hash is within
// radius of h, nearest first, through the logo index (one Redis call
// whatever the number of logos).
func (s *Store) LogosNear(ctx context.Context, h uint64, radius int) ([]HamMatch, error) {
	ix, err := s.LogoIndex(ctx)
	if err != nil {
		return nil, err
	}
	return ix.Lookup(ctx, h, radius)
}
