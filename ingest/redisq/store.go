// Package redisq owns counterlens's Redis: every key name, stream and script
// lives here, and no other package imports go-redis. Other packages reach it
// through small interfaces they declare themselves.
//
// Key layout (all under the "cl:" prefix):
//
//	cl:brands              hash  brand id -> Brand JSON
//	cl:logos               hash  logo id -> Logo JSON
//	cl:logoimg             hash  logo id -> uploaded bytes
//	cl:refver              int   bumped on every change of brands or logos
//	cl:logodesc            hash  logo id -> matcher descriptor (descriptors.go)
//	cl:hix:<name>:…        Hamming indexes of 64-bit hashes (hamindex.go);
//	                       cl:hix:logo:… holds the logos' perceptual hashes
//	cl:apikey:<sha256>     str   APIKey JSON, by the hash of its secret
//	cl:apikeyid            hash  key id -> sha256 of its secret
//	cl:listing:<id>        str   Listing JSON (with analysis and evidence)
//	cl:ext:<platform>      hash  external id -> listing id
//	cl:susp                zset  listing id by score (every analysed listing)
//	cl:susp:brand:<id>     zset  the same, per brand found
//	cl:susp:platform:<p>   zset  the same, per platform
//	cl:suspitem            hash  listing id -> Suspicion JSON
//	cl:sources             hash  source id -> Source JSON
//	cl:jobs                stream of jobs, consumer group "workers"
//	cl:jobs:dead           stream of jobs that failed too often
//	cl:imgres:<sha>:<v>:<s> str  ImageReport JSON of one picture (imagecache.go)
package redisq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"
)

// Errors returned by the store. Callers test them with errors.Is.
var (
	// ErrNotFound means no such object.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable means Redis did not answer; retry later.
	ErrUnavailable = errors.New("redis unavailable")
	// ErrQueueFull means the job stream holds more than its configured cap.
	ErrQueueFull = errors.New("queue full")
	// ErrConflict means the object exists already.
	ErrConflict = errors.New("already exists")
)

const prefix = "cl:"

// Config configures the store.
type Config struct {
	// URL is a redis:// or rediss:// URL.
	URL string
	// MaxQueue caps the number of jobs waiting in the stream.
	MaxQueue int64
	// Visibility is how long a claimed job may stay unacknowledged before
	// another worker takes it over.
	Visibility time.Duration
	// MaxAttempts is how often a job is delivered before it goes to the
	// dead-letter stream.
	MaxAttempts int64
	// ImageResultTTL is how long the analysis of one picture is kept for
	// reuse by a later listing showing the same bytes; 0 keeps none.
	ImageResultTTL time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		URL:         "redis://127.0.0.1:6379/0",
		MaxQueue:    1_000_000,
		Visibility:  2 * time.Minute,
		MaxAttempts: 5,
		// A month: long enough for reposts of the same pictures, short
		// enough to bound the memory they take.
		ImageResultTTL: 30 * 24 * time.Hour,
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if _, err := redis.ParseURL(c.URL); err != nil {
		return fmt.Errorf("redis url: %w", err)
	}
	if c.MaxQueue <= 0 {
		return errors.New("redis: max queue must be positive")
	}
	if c.Visibility < time.Second {
		return errors.New("redis: visibility timeout must be at least 1s")
	}
	if c.MaxAttempts < 1 {
		return errors.New("redis: max attempts must be at least 1")
	}
	return nil
}

// Store is counterlens's state in Redis.
type Store struct {
	rdb *redis.Client
	cfg Config
	// groupReady is set once the job stream's consumer group exists.
	groupReady atomic.Bool
	// confirmed is the index of confirmed photos once opened: every
	// analysis looks its pictures up in it (see confirmedIndex).
	confirmed atomic.Pointer[HamIndex]
}

// New connects to Redis. It does not fail when Redis is down: calls then
// return ErrUnavailable until it is back.
func New(cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opt, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	opt.DialTimeout = 2 * time.Second
	opt.ReadTimeout = 5 * time.Second
	opt.WriteTimeout = 5 * time.Second
	return &Store{rdb: redis.NewClient(opt), cfg: cfg}, nil
}

// Close closes the connections.
func (s *Store) Close() error { return s.rdb.Close() }

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return wrap(s.rdb.Ping(ctx).Err())
}

// NewID returns a new sortable unique id.
func NewID() string { return strings.ToLower(ulid.Make().String()) }

// wrap maps go-redis errors to the store's sentinels.
func wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, redis.Nil):
		return ErrNotFound
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	var rerr redis.Error
	if errors.As(err, &rerr) && !strings.HasPrefix(rerr.Error(), "LOADING") {
		// Redis answered with an error: a bug on our side, not an outage.
		return fmt.Errorf("redis: %w", err)
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

func getJSON[T any](ctx context.Context, c redis.Cmdable, key string) (T, error) {
	var v T
	b, err := c.Get(ctx, key).Bytes()
	if err != nil {
		return v, wrap(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

func hgetJSON[T any](ctx context.Context, c redis.Cmdable, key, field string) (T, error) {
	var v T
	b, err := c.HGet(ctx, key, field).Bytes()
	if err != nil {
		return v, wrap(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %s[%s]: %w", key, field, err)
	}
	return v, nil
}

func hgetAllJSON[T any](ctx context.Context, c redis.Cmdable, key string) ([]T, error) {
	m, err := c.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]T, 0, len(m))
	for f, b := range m {
		var v T
		if err := json.Unmarshal([]byte(b), &v); err != nil {
			return nil, fmt.Errorf("decode %s[%s]: %w", key, f, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own model types are marshalled here; they always encode.
		panic(fmt.Sprintf("redisq: encode %T: %v", v, err))
	}
	return b
}
