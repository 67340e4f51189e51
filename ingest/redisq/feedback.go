package redisq

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/ingest/network"
	"counterlens/models"
	"counterlens/vision/phash"
)

// Reviewer feedback as score signals (docs/scoring.md, "Reviewer feedback"):
//
//	cl:confirmed:photo:<sha256>   hash  listing id:image index:brand id ->
//	                                    ConfirmedPhoto JSON: the photos an
//	                                    officer confirmed as counterfeit offers
//	cl:hix:confirmed:…            Hamming index (8 bands) of their phashes,
//	                                    one id per sha256
//	cl:seller:confirmed:<seller>  zset  listing id by the unix time of its
//	                                    confirmation, per seller (network.SellerID)
//
// All three change in the review's transaction (see [Store.ReviewListing]).
func keyConfirmedPhoto(sha string) string { return prefix + "confirmed:photo:" + sha }
func keySellerConfirmed(seller string) string {
	return prefix + "seller:confirmed:" + seller
}

// confirmedIndexName and confirmedIndexBands name the Hamming index of the
// confirmed photos: 8 bands of 8 bits serve radius 6 with 7 bucket reads.
const (
	confirmedIndexName  = "confirmed"
	confirmedIndexBands = 8
)

// confirmedIndex opens the index of confirmed photos once per Store:
// opening checks its layout and format with a round trip (and a write),
// which every analysis's lookups need not repeat.
func (s *Store) confirmedIndex(ctx context.Context) (*HamIndex, error) {
	if x := s.confirmed.Load(); x != nil {
		return x, nil
	}
	x, err := s.HamIndex(ctx, confirmedIndexName, confirmedIndexBands)
	if err != nil {
		return nil, err
	}
	s.confirmed.Store(x)
	return x, nil
}

// ConfirmedPhoto is a photo of a listing that an officer confirmed as a
// counterfeit offer of a brand, with the box of the brand's strongest
// finding in it and the photo's size (to map the box onto a copy).
type ConfirmedPhoto struct {
	SHA256     string       `json:"sha256"`
	PHash      string       `json:"phash"`
	BrandID    string       `json:"brand_id"`
	ListingID  string       `json:"listing_id"`
	ImageIndex int          `json:"image_index"`
	Width      int          `json:"width"`
	Height     int          `json:"height"`
	BBox       *models.BBox `json:"bbox,omitempty"`
	At         time.Time    `json:"at"`
	// Distance is the pHash distance to the photo looked up (0 for the
	// same bytes); set by [Store.ConfirmedPhotos], not stored.
	Distance int `json:"-"`
}

// SellerConfirmed is what the store knows of a seller's confirmed listings.
type SellerConfirmed struct {
	// Count is the number of the seller's listings confirmed as
	// counterfeit offers, the one asked about left out.
	Count int
	// Latest is the most recently confirmed of them, and At when.
	Latest string
	At     time.Time
}

// confirmedPhotos returns, for each brand of r, the photos of the analysis
// in which the brand was found, with the box of its strongest finding.
func confirmedPhotos(l models.Listing, r models.Review) []ConfirmedPhoto {
	var out []ConfirmedPhoto
	for _, b := range r.BrandIDs {
		best := map[int]models.Signal{}
		for _, s := range l.Analysis.Signals {
			if s.BrandID != b || s.ImageIndex == nil {
				continue
			}
			i := *s.ImageIndex
			if cur, ok := best[i]; !ok || cur.BBox == nil && s.BBox != nil || (s.BBox != nil) == (cur.BBox != nil) && s.Confidence > cur.Confidence {
				best[i] = s
			}
		}
		for _, i := range slices.Sorted(maps.Keys(best)) {
			im, ok := imageByIndex(l.Analysis, i)
			if !ok || im.SHA256 == "" {
				continue
			}
			out = append(out, ConfirmedPhoto{SHA256: im.SHA256, PHash: im.PHash, BrandID: b, ListingID: l.ID, ImageIndex: i,
				Width: im.Width, Height: im.Height, BBox: best[i].BBox, At: r.At})
		}
	}
	return out
}

func (c ConfirmedPhoto) field() string {
	return fmt.Sprintf("%s:%d:%s", c.ListingID, c.ImageIndex, c.BrandID)
}

// prepareFeedback watches and reads, inside a review's optimistic
// transaction, what the review changes in the feedback keys, and returns
// the writes to queue in its MULTI: a confirmation files the listing's
// photos of the reviewed brands as confirmed and adds the listing to its
// seller's confirmed listings; a dismissal takes both back.
func (s *Store) prepareFeedback(ctx context.Context, tx *redis.Tx, x *HamIndex, l models.Listing, r models.Review) (func(redis.Pipeliner), error) {
	photos := confirmedPhotos(l, r)
	shas := []string{}
	for _, c := range photos {
		if !slices.Contains(shas, c.SHA256) {
			shas = append(shas, c.SHA256)
		}
	}
	keys := []string{x.key("ids")}
	for _, sha := range shas {
		keys = append(keys, keyConfirmedPhoto(sha))
	}
	if err := tx.Watch(ctx, keys...).Err(); err != nil {
		return nil, err
	}
	// What each photo's hash holds now, and what the index files for it.
	fields := map[string]map[string]string{}
	for _, sha := range shas {
		m, err := tx.HGetAll(ctx, keyConfirmedPhoto(sha)).Result()
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = map[string]string{}
		}
		fields[sha] = m
	}
	filed := map[string][]uint64{}
	if len(shas) > 0 {
		vals, err := tx.HMGet(ctx, x.key("ids"), shas...).Result()
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			if str, ok := v.(string); ok {
				filed[shas[i]] = unpackHashes([]byte(str))
			}
		}
	}
	seller := keySellerConfirmed(network.SellerID(l))
	confirm := r.Decision == models.DecisionConfirm
	return func(p redis.Pipeliner) {
		if confirm {
			p.ZAdd(ctx, seller, redis.Z{Score: float64(r.At.Unix()), Member: l.ID})
		} else {
			p.ZRem(ctx, seller, l.ID)
		}
		for _, c := range photos {
			if confirm {
				p.HSet(ctx, keyConfirmedPhoto(c.SHA256), c.field(), mustJSON(c))
				fields[c.SHA256][c.field()] = ""
			} else {
				p.HDel(ctx, keyConfirmedPhoto(c.SHA256), c.field())
				delete(fields[c.SHA256], c.field())
			}
		}
		// A photo is in the index while one confirmation of it is kept.
		for _, sha := range shas {
			var want []uint64
			if h, ok := photoHash(photos, sha); ok && len(fields[sha]) > 0 {
				want = []uint64{h}
			}
			if !slices.Equal(want, filed[sha]) {
				x.queue(ctx, p, sha, filed[sha], want)
			}
		}
	}, nil
}

// photoHash returns the perceptual hash of the photo with control number
// sha, unless it is flat (all 0 or all 1 bits: no photo of anything).
func photoHash(photos []ConfirmedPhoto, sha string) (uint64, bool) {
	for _, c := range photos {
		if c.SHA256 == sha {
			h, err := phash.ParseHex(c.PHash)
			return h, err == nil && h != 0 && h != ^uint64(0)
		}
	}
	return 0, false
}

// ConfirmedPhotos returns the confirmed photos that are the same photo as
// one with control number sha and perceptual hash ph: the same bytes
// (Distance 0), or a pHash within radius (at most 8). A photo confirmed for
// several brands or in several listings comes once for each.
func (s *Store) ConfirmedPhotos(ctx context.Context, sha, ph string, radius int) ([]ConfirmedPhoto, error) {
	dist := map[string]int{}
	if sha != "" {
		dist[sha] = 0
	}
	if h, ok := photoHash([]ConfirmedPhoto{{PHash: ph}}, ""); ok {
		x, err := s.confirmedIndex(ctx)
		if err != nil {
			return nil, err
		}
		ms, err := x.Lookup(ctx, h, radius)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if d, ok := dist[m.ID]; !ok || m.Distance < d {
				dist[m.ID] = m.Distance
			}
		}
	}
	shas := slices.Sorted(maps.Keys(dist))
	cmds := make([]*redis.MapStringStringCmd, len(shas))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range shas {
			cmds[i] = p.HGetAll(ctx, keyConfirmedPhoto(k))
		}
		return nil
	}); err != nil {
		return nil, wrap(err)
	}
	var out []ConfirmedPhoto
	for i, c := range cmds {
		for _, v := range c.Val() {
			var cp ConfirmedPhoto
			if err := json.Unmarshal([]byte(v), &cp); err != nil {
				return nil, fmt.Errorf("decode confirmed photo %s: %w", shas[i], err)
			}
			if cp.SHA256 == sha {
				cp.Distance = 0
			} else {
				cp.Distance = max(1, dist[shas[i]]) // other bytes are never quite the same photo
			}
			out = append(out, cp)
		}
	}
	slices.SortFunc(out, func(a, b ConfirmedPhoto) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), b.At.Compare(a.At), cmp.Compare(a.field(), b.field()))
	})
	return out, nil
}

// SellerConfirmed returns how many listings of seller (a network.SellerID)
// an officer confirmed as counterfeit offers, leaving listing except out,
// and the latest of them.
func (s *Store) SellerConfirmed(ctx context.Context, seller, except string) (SellerConfirmed, error) {
	key := keySellerConfirmed(seller)
	var n *redis.IntCmd
	var self *redis.FloatCmd
	var top *redis.ZSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		n, self, top = p.ZCard(ctx, key), p.ZScore(ctx, key, except), p.ZRevRangeWithScores(ctx, key, 0, 1)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return SellerConfirmed{}, wrap(err)
	}
	out := SellerConfirmed{Count: int(n.Val())}
	if self.Err() == nil {
		out.Count--
	}
	for _, z := range top.Val() {
		if id, _ := z.Member.(string); id != except {
			out.Latest, out.At = id, time.Unix(int64(z.Score), 0).UTC()
			break
		}
	}
	return out, nil
}

// SellerListings returns up to limit ids of the other stored listings of
// the seller of listing id, read from its seller network (every listing of
// one seller account is in one network: the account links them).
func (s *Store) SellerListings(ctx context.Context, id string, limit int) ([]string, error) {
	net, err := s.rdb.HGet(ctx, keyNetOf, id).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	ids, err := s.rdb.SMembers(ctx, keyNetMembers(net)).Result()
	if err != nil {
		return nil, wrap(err)
	}
	slices.Sort(ids)
	items, err := s.rdb.HMGet(ctx, keySuspItem, append([]string{id}, ids...)...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	sellerOf := func(i int) string {
		str, ok := items[i].(string)
		if !ok {
			return ""
		}
		var sp models.Suspicion
		if json.Unmarshal([]byte(str), &sp) != nil || sp.Seller == "" {
			return ""
		}
		return network.SellerID(models.Listing{Platform: sp.Platform, Seller: sp.Seller})
	}
	own := sellerOf(0)
	var out []string
	for i, m := range ids {
		if m != id && own != "" && sellerOf(i+1) == own && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}
