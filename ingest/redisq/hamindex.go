package redisq

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"counterlens/vision/phash"
)

// A Hamming index of 64-bit hashes in Redis, by multi-index hashing (see
// vision/phash's [phash.Layout]): each hash is cut into bands and filed in
// one bucket per (band, band value); a lookup reads the few buckets whose
// band values lie within the per-band radii of the query's (one MGET) and
// verifies the full distance in Go. A bucket is one string of entries
// (8-byte big-endian hash, 1-byte id length, id), so a lookup costs Redis
// one key per bucket and a copy, not one set member per candidate. Keys,
// under cl:hix:<name>:
//
//	cl:hix:<name>:p<band>:<value hex>  str   entries of the hashes with that band value
//	cl:hix:<name>:ids                  hash  id -> its hashes, 8 bytes each
//	cl:hix:<name>:layout               str   band count, fixed at first use
//	cl:hix:<name>:format               str   "2" once the buckets above hold every id
//
// Format 1 (before the format key) kept each bucket as a set at
// cl:hix:<name>:<band>:<value hex>; opening such an index refiles every id
// from the ids hash into string buckets and deletes the sets (see
// [HamIndex.migrate]).

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

// hamFormat is the bucket format this code reads and writes.
const hamFormat = "2"

// maxHamID is the longest id an index files (its length takes one byte).
const maxHamID = 255

// HamIndex opens (creating on first write) the index called name, whose
// hashes are cut into the given number of bands (1, 2, 4, 8 or 16). An
// index in an earlier format is migrated first.
func (s *Store) HamIndex(ctx context.Context, name string, bands int) (*HamIndex, error) {
	l, err := phash.NewLayout(bands)
	if err != nil {
		return nil, err
	}
	x := &HamIndex{rdb: s.rdb, name: name, layout: l}
	var layout, format *redis.StringCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SetNX(ctx, x.key("layout"), bands, 0)
		layout = p.Get(ctx, x.key("layout"))
		format = p.Get(ctx, x.key("format"))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, wrap(err)
	}
	if got, err := layout.Int(); err != nil || got != bands {
		return nil, fmt.Errorf("%w: %s has %q bands, not %d", ErrIndexLayout, name, layout.Val(), bands)
	}
	if format.Val() != hamFormat {
		if err := x.migrate(ctx); err != nil {
			return nil, err
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
	return x.key("p" + strconv.Itoa(band) + ":" + strconv.FormatUint(v, 16))
}

// hamEntry is h and id as a bucket holds them.
func hamEntry(h uint64, id string) string {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 9+len(id)), h)
	b = append(b, byte(len(id)))
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

// editBuckets adds ("+") or removes ("-") one entry per bucket: KEYS[i] is
// a bucket, ARGV[2i-1] the operation and ARGV[2i] the entry. Adding an entry
// already there and removing one that is not are no-ops, so a refile is
// harmless. It runs inside the writers' MULTI with the ids hash, as EVAL
// (not EVALSHA) so that no NOSCRIPT can fail half a transaction.
const editBuckets = `
local function find(s, e)
  local at = 1
  while true do
    local i = string.find(s, e, at, true)
    if not i then return nil end
    -- only a match on an entry boundary counts
    local pos = 1
    while pos < i do pos = pos + 9 + string.byte(s, pos + 8) end
    if pos == i then return i end
    at = i + 1
  end
end
for i, k in ipairs(KEYS) do
  local op, e = ARGV[2 * i - 1], ARGV[2 * i]
  local s = redis.call('GET', k) or ''
  local at = find(s, e)
  if op == '+' and not at then
    redis.call('APPEND', k, e)
  elseif op == '-' and at then
    s = string.sub(s, 1, at - 1) .. string.sub(s, at + #e)
    if s == '' then redis.call('DEL', k) else redis.call('SET', k, s) end
  end
end
return #KEYS`

// queue adds to p the commands that replace id's hashes old by hashes. The
// id must be 1 to maxHamID bytes long (see [HamIndex.Put]).
func (x *HamIndex) queue(ctx context.Context, p redis.Pipeliner, id string, old, hashes []uint64) {
	var keys []string
	var args []any
	edit := func(hs, except []uint64, op string) {
		for _, h := range hs {
			if slices.Contains(except, h) {
				continue
			}
			for i := range x.layout.Bands() {
				keys = append(keys, x.bucket(i, x.layout.Band(h, i)))
				args = append(args, op, hamEntry(h, id))
			}
		}
	}
	edit(old, hashes, "-")
	edit(hashes, old, "+")
	if len(keys) > 0 {
		p.Eval(ctx, editBuckets, keys, args...)
	}
	if len(hashes) == 0 {
		p.HDel(ctx, x.key("ids"), id)
	} else {
		p.HSet(ctx, x.key("ids"), id, packHashes(hashes))
	}
}

// Put files each entry's hashes under its id, replacing what the id had;
// an entry without hashes removes its id. Ids are 1 to 255 bytes long. It
// is one optimistic transaction, retried when another writer changed the
// index meanwhile.
func (x *HamIndex) Put(ctx context.Context, entries ...HamEntry) error {
	if len(entries) == 0 {
		return nil
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		if e.ID == "" || len(e.ID) > maxHamID {
			return fmt.Errorf("redisq: hamming index entry id of %d bytes (want 1 to %d)", len(e.ID), maxHamID)
		}
		ids[i] = e.ID
	}
	return x.refile(ctx, ids, func(i int, old []uint64) ([]uint64, []uint64) { return old, entries[i].Hashes })
}

// refile files, for each of ids, the hashes to instead of from, which next
// returns given the id's current hashes, in one optimistic transaction on
// the ids hash (every writer changes it, so WATCH sees every concurrent
// write).
func (x *HamIndex) refile(ctx context.Context, ids []string, next func(i int, old []uint64) (from, to []uint64)) error {
	if len(ids) == 0 {
		return nil
	}
	const attempts = 10
	for range attempts {
		err := x.rdb.Watch(ctx, func(tx *redis.Tx) error {
			olds, err := tx.HMGet(ctx, x.key("ids"), ids...).Result()
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				for i, id := range ids {
					var old []uint64
					if s, ok := olds[i].(string); ok {
						old = unpackHashes([]byte(s))
					}
					from, to := next(i, old)
					x.queue(ctx, p, id, from, to)
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

// migrate brings an index of an earlier format (set buckets) to the
// current one: it files every id's hashes from the ids hash into string
// buckets (as a Put of the same hashes would, so writers running meanwhile
// stay consistent), deletes the set buckets and records the format. Two
// processes migrating at once do the same idempotent work.
func (x *HamIndex) migrate(ctx context.Context) error {
	var cursor uint64
	for {
		kv, next, err := x.rdb.HScan(ctx, x.key("ids"), cursor, "", 1000).Result()
		if err != nil {
			return wrap(err)
		}
		ids := make([]string, 0, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			ids = append(ids, kv[i])
		}
		// From nothing: every current hash is (re)added; adding is idempotent.
		if err := x.refile(ctx, ids, func(_ int, old []uint64) ([]uint64, []uint64) { return nil, old }); err != nil {
			return err
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	iter := x.rdb.Scan(ctx, 0, x.key("[0-9]*"), 1000).Iterator()
	var stale []string
	for iter.Next(ctx) {
		if k := iter.Val(); isSetBucket(strings.TrimPrefix(k, x.key(""))) {
			stale = append(stale, k)
		}
	}
	if err := iter.Err(); err != nil {
		return wrap(err)
	}
	for c := range slices.Chunk(stale, 1000) {
		if err := x.rdb.Unlink(ctx, c...).Err(); err != nil {
			return wrap(err)
		}
	}
	return wrap(x.rdb.Set(ctx, x.key("format"), hamFormat, 0).Err())
}

// isSetBucket reports whether a key's part after cl:hix:<name>: names a
// format-1 bucket ("<band>:<value hex>").
func isSetBucket(part string) bool {
	band, v, ok := strings.Cut(part, ":")
	_, err1 := strconv.Atoi(band)
	_, err2 := strconv.ParseUint(v, 16, 64)
	return ok && err1 == nil && err2 == nil
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
	bands := make([]int, 0, n)
	x.layout.EachProbe(h, radius, func(band int, v uint64) {
		keys = append(keys, x.bucket(band, v))
		bands = append(bands, band)
	})
	vals, err := x.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	var out []HamMatch
	for i, v := range vals {
		s, _ := v.(string)
		for len(s) >= 9 {
			fh, n := binary.BigEndian.Uint64([]byte(s[:8])), 9+int(s[8])
			if n > len(s) {
				break
			}
			// A hash within radius sits in a bucket of several bands: take it
			// from the first only.
			if d := bits.OnesCount64(fh ^ h); d <= radius && x.layout.FirstBand(h, fh, radius, bands[i]) {
				out = append(out, HamMatch{ID: s[9:n], Hash: fh, Distance: d})
			}
			s = s[n:]
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
