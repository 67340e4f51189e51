package redisq

import (
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/redisq/redistest"
	"counterlens/vision/phash"
)

// BenchmarkHamIndex times lookups in the Redis multi-index (4 bands of 16
// bits) against a linear scan of the same hashes held in Go memory (the
// fastest linear scan there is: one XOR and one popcount per hash), and the
// in-process multi-index of vision/phash, at 1K, 100K and 1M uniformly random
// hashes. Queries are filed hashes with up to radius bits flipped, so every
// lookup has an answer. It prints the median and p99 of single lookups, the
// buckets each reads, and Redis's own time per MGET (INFO commandstats), so
// the rest is the round trip and the verify in Go; after each fill, its time
// and the memory Redis grew by:
//
//	go test -run '^$' -bench BenchmarkHamIndex -benchtime 1000x ./ingest/redisq/
//
// Filling 1M hashes into Redis takes about a minute and some 200 MB.
func BenchmarkHamIndex(b *testing.B) {
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.URL = redistest.URL(b)
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	var hashes []uint64
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		name := "bench" + strconv.Itoa(n)
		ix, err := s.HamIndex(ctx, name, LogoIndexBands)
		if err != nil {
			b.Fatal(err)
		}
		for len(hashes) < n {
			hashes = append(hashes, rng.Uint64())
		}
		mem0 := usedMemory(ctx, b, s)
		t0 := time.Now()
		const batch = 5000
		for i := 0; i < n; i += batch {
			var es []HamEntry
			for j := i; j < min(i+batch, n); j++ {
				es = append(es, HamEntry{ID: strconv.Itoa(j), Hashes: []uint64{hashes[j]}})
			}
			if err := ix.Put(ctx, es...); err != nil {
				b.Fatal(err)
			}
		}
		fill := time.Since(t0)
		grown := usedMemory(ctx, b, s) - mem0
		fmt.Printf("hamindex fill: n=%d in %s, redis memory +%.0f MB\n", n, fill.Round(time.Millisecond), float64(grown)/1e6)
		layout, _ := phash.NewLayout(LogoIndexBands)
		mem := phash.NewIndex(layout)
		for i, h := range hashes[:n] {
			mem.Add(h, int32(i))
		}
		for _, radius := range []int{3, 7, 8, 9, 10, 11, 12} {
			query := func() uint64 {
				h := hashes[rng.IntN(n)]
				for _, bit := range rng.Perm(64)[:rng.IntN(radius+1)] {
					h ^= 1 << uint(bit)
				}
				return h
			}
			b.Run(fmt.Sprintf("n=%d/radius=%d/redis", n, radius), func(b *testing.B) {
				var ts []time.Duration
				if err := s.rdb.ConfigResetStat(ctx).Err(); err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					q := query()
					t := time.Now()
					ms, err := ix.Lookup(ctx, q, radius)
					ts = append(ts, time.Since(t))
					if err != nil || len(ms) == 0 {
						b.Fatalf("lookup: %d found, %v", len(ms), err)
					}
				}
				probes, _ := ix.layout.Probes(radius)
				report(b, "redis multi-index", n, radius, ts, fmt.Sprintf("buckets=%d redis_mget=%.0fµs", probes, mgetMicros(ctx, b, s)))
			})
			b.Run(fmt.Sprintf("n=%d/radius=%d/memory", n, radius), func(b *testing.B) {
				var ts []time.Duration
				for b.Loop() {
					q := query()
					t := time.Now()
					found := 0
					mem.Lookup(q, radius, func(int32, int) { found++ })
					ts = append(ts, time.Since(t))
					if found == 0 {
						b.Fatal("nothing found")
					}
				}
				report(b, "memory multi-index", n, radius, ts, "")
			})
			b.Run(fmt.Sprintf("n=%d/radius=%d/linear", n, radius), func(b *testing.B) {
				var ts []time.Duration
				for b.Loop() {
					q := query()
					t := time.Now()
					found := 0
					for _, h := range hashes[:n] {
						if bits.OnesCount64(h^q) <= radius {
							found++
						}
					}
					ts = append(ts, time.Since(t))
					if found == 0 {
						b.Fatal("nothing found")
					}
				}
				report(b, "linear scan (Go memory)", n, radius, ts, "")
			})
		}
	}
}

func report(b *testing.B, what string, n, radius int, ts []time.Duration, extra string) {
	slices.Sort(ts)
	med, p99 := ts[len(ts)/2], ts[len(ts)*99/100]
	b.ReportMetric(float64(med.Nanoseconds())/1e3, "median_us")
	b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99_us")
	fmt.Printf("hamindex %s: n=%d radius=%d lookups=%d median=%s p99=%s %s\n", what, n, radius, len(ts), med, p99, extra)
}

// usedMemory is Redis's used_memory in bytes.
func usedMemory(ctx context.Context, b *testing.B, s *Store) int64 {
	v, err := infoField(ctx, s, "memory", "used_memory")
	if err != nil {
		b.Fatal(err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// mgetMicros is Redis's own mean time per MGET since the last CONFIG
// RESETSTAT, in microseconds.
func mgetMicros(ctx context.Context, b *testing.B, s *Store) float64 {
	v, err := infoField(ctx, s, "commandstats", "cmdstat_mget")
	if err != nil {
		b.Fatal(err)
	}
	for f := range strings.SplitSeq(v, ",") {
		if us, ok := strings.CutPrefix(f, "usec_per_call="); ok {
			x, err := strconv.ParseFloat(us, 64)
			if err != nil {
				b.Fatal(err)
			}
			return x
		}
	}
	b.Fatalf("no usec_per_call in %q", v)
	return 0
}

func infoField(ctx context.Context, s *Store, section, field string) (string, error) {
	info, err := s.rdb.Info(ctx, section).Result()
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("no %s in INFO %s", field, section)
}
