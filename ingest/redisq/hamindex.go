package redisq

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strconv"

	"github.com/redis/go-redis/v9"

	"counterlens/vision/phash"
)

// A Hamming index of 64-bit hashes in Redis, by multi-index hashing (see
// vision/phash's [phash.Layout]): each hash is cut into bands and filed in
// one set per (band, band value); a lookup unions the few sets whose band
// values lie within the per-band radius of the query's and verifies the full
// distance. Keys, under cl:hix:<name>:
//
//	cl:hix:<name>:<band>:<value hex>  set   8-byte big-endian hash + id
//	cl:hix:<name>:ids                 hash  id -> its hashes, 8 bytes each
//	cl:hix:<name>:layout              str   band count, fixed at first use

// ErrIndexLayout is returned when an index is opened with another band count
// than it was built with, or looked up with an unusable radius.
var ErrIndexLayout = errors.New("hamming index layout mismatch")

// HamMatch is one hash found by [HamIndex.Lookup].
type HamMatch struct {
	ID       string
	Hash     uint64
	Distance int
}

// HamEntry files the hashes of one id; no hashes removes the id.
type HamEntry struct {
	ID     string
	Hashes []uint64
}

// HamIndex is a named Hamming index in Redis. It is safe for concurrent use.
type HamIndex struct {
	rdb    *redis.Client
	name   string
	layout phash.Layout
}

// LogoIndexBands is the band count of the logo hash index: 16-bit bands keep
// buckets small up to about a million hashes.
const LogoIndexBands = 4

// logoIndexName is the index the perceptual hashes of reference logos are
// filed in by AddLogo and DeleteLogo.
const logoIndexName = "logo"

// HamIndex opens (creating on first write) the index called name, whose
// hashes are cut into the given number of bands (1, 2, 4, 8 or 16).
func (s *Store) HamIndex(ctx context.Context, name string, bands int) (*HamIndex, error) {
	l, err := phash.NewLayout(bands)
	if err != nil {
		return nil, err
	}
	x := &HamIndex{rdb: s.rdb, name: name, layout: l}
	ok, err := s.rdb.SetNX(ctx, x.key("layout"), bands, 0).Result()
	if err != nil {
		return nil, wrap(err)
	}
	if !ok {
		got, err := s.rdb.Get(ctx, x.key("layout")).Int()
		if err != nil {
			return nil, wrap(err)
		}
		if got != bands {
			return nil, fmt.Errorf("%w: %s has %d bands, not %d", ErrIndexLayout, name, got, bands)
		}
	}
	return x, nil
}

// LogoIndex is the index of the reference logos' perceptual hashes, kept up
// to date by AddLogo and DeleteLogo.
func (s *Store) LogoIndex(ctx context.Context) (*HamIndex, error) {
	return s.HamIndex(ctx, logoIndexName, LogoIndexBands)
}

func (x *HamIndex) key(part string) string { return prefix + "hix:" + x.name + ":" + part }

func (x *HamIndex) bucket(band int, v uint64) string {
	return x.key(strconv.Itoa(band) + ":" + strconv.FormatUint(v, 16))
}

func member(h uint64, id string) string {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), h)
	return string(append(b, id...))
}

func packHashes(hs []uint64) []byte {
	b := make([]byte, 0, 8*len(hs))
	for _, h := range hs {
		b = binary.BigEndian.AppendUint64(b, h)
	}
	return b
}

func unpackHashes(b []byte) []uint64 {
	hs := make([]uint64, 0, len(b)/8)
	for i := 0; i+8 <= len(b); i += 8 {
		hs = append(hs, binary.BigEndian.Uint64(b[i:]))
	}
	return hs
}

// queue adds to p the commands that replace id's hashes old by hashes.
func (x *HamIndex) queue(ctx context.Context, p redis.Pipeliner, id string, old, hashes []uint64) {
	for _, h := range old {
		for i := range x.layout.Bands() {
			p.SRem(ctx, x.bucket(i, x.layout.Band(h, i)), member(h, id))
		}
	}
	for _, h := range hashes {
		for i := range x.layout.Bands() {
			p.SAdd(ctx, x.bucket(i, x.layout.Band(h, i)), member(h, id))
		}
	}
	if len(hashes) == 0 {
		p.HDel(ctx, x.key("ids"), id)
	} else {
		p.HSet(ctx, x.key("ids"), id, packHashes(hashes))
	}
}

// Put files each entry's hashes under its id, replacing what the id had;
// an entry without hashes removes its id. It is one optimistic transaction,
// retried when another writer changed the index meanwhile.
func (x *HamIndex) Put(ctx context.Context, entries ...HamEntry) error {
	if len(entries) == 0 {
		return nil
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		if e.ID == "" {
			return errors.New("redisq: hamming index entry without id")
		}
		ids[i] = e.ID
	}
	const attempts = 10
	for range attempts {
		err := x.rdb.Watch(ctx, func(tx *redis.Tx) error {
			olds, err := tx.HMGet(ctx, x.key("ids"), ids...).Result()
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				for i, e := range entries {
					var old []uint64
					if s, ok := olds[i].(string); ok {
						old = unpackHashes([]byte(s))
					}
					x.queue(ctx, p, e.ID, old, e.Hashes)
				}
				return nil
			})
			return err
		}, x.key("ids"))
		if !errors.Is(err, redis.TxFailedErr) {
			return wrap(err)
		}
	}
	return fmt.Errorf("%w: hamming index %s: too much contention", ErrUnavailable, x.name)
}

// Lookup returns every filed hash within distance radius of h, nearest
// first. A radius the layout cannot serve in bounded time (see
// [phash.Layout.Probes]) is an error wrapping [ErrIndexLayout].
func (x *HamIndex) Lookup(ctx context.Context, h uint64, radius int) ([]HamMatch, error) {
	n, err := x.layout.Probes(radius)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIndexLayout, err)
	}
	keys := make([]string, 0, n)
	x.layout.EachProbe(h, radius, func(band int, v uint64) { keys = append(keys, x.bucket(band, v)) })
	ms, err := x.rdb.SUnion(ctx, keys...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	var out []HamMatch
	for _, m := range ms {
		if len(m) < 8 {
			continue
		}
		fh := binary.BigEndian.Uint64([]byte(m[:8]))
		if d := bits.OnesCount64(fh ^ h); d <= radius {
			out = append(out, HamMatch{ID: m[8:], Hash: fh, Distance: d})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Distance != out[j].Distance {
			return out[i].Distance < out[j].Distance
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Hashes returns the hashes filed under id (none when it has none).
func (x *HamIndex) Hashes(ctx context.Context, id string) ([]uint64, error) {
	b, err := x.rdb.HGet(ctx, x.key("ids"), id).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	return unpackHashes(b), nil
}

// Len is the number of ids filed.
func (x *HamIndex) Len(ctx context.Context) (int64, error) {
	n, err := x.rdb.HLen(ctx, x.key("ids")).Result()
	return n, wrap(err)
}
