package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"counterlens/api"
	"counterlens/ingest/alert"
	"counterlens/ingest/connector"
	"counterlens/ingest/crawl"
	"counterlens/ingest/fetch"
	"counterlens/ingest/network"
	"counterlens/ingest/pipeline"
	"counterlens/ingest/redisq"
	"counterlens/ingest/worker"
	"counterlens/models"
	"counterlens/vision"
)

// config is every package's Config, filled from COUNTERLENS_* variables and
// then from flags.
type config struct {
	Addr     string
	DataDir  string
	LogLevel slog.Level
	Region   string

	// EvidenceKeyFile holds the Ed25519 key that signs evidence bundles;
	// empty means <DataDir>/evidence-key, made on first start.
	EvidenceKeyFile string
	// BlobURL is where captured bytes are kept: "" for <DataDir>/evidence,
	// file:///folder, or s3://bucket?endpoint=…&region=…&use_path_style=true.
	BlobURL string
	// SourcesFile is a YAML file of sources, upserted by name at start.
	SourcesFile string

	Redis    redisq.Config
	API      api.Config
	Vision   vision.Config
	Fetch    fetch.Config
	Pipeline pipeline.Config
	Worker   worker.Config
	Crawl    crawl.Config
	Connect  connector.Config
	Alert    alert.Config

	// Network bounds seller networks.
	Network network.Config
	// Retro configures the matching of new logos against pictures seen
	// before.
	Retro pipeline.RetroConfig
	// OpenCVThreads is how many threads OpenCV's own parallel loops use
	// (vision.SetOpenCVThreads): 1, the calling thread only, since each
	// core already runs a vision worker; 0 leaves OpenCV's default.
	OpenCVThreads int
}

// maxOpenCVThreads bounds COUNTERLENS_OPENCV_THREADS: OpenCV starts that
// many threads, and no machine we run on has more cores.
const maxOpenCVThreads = 256

func defaultConfig() config {
	c := config{
		Addr:     "127.0.0.1:8080",
		DataDir:  "./var",
		Redis:    redisq.DefaultConfig(),
		API:      api.DefaultConfig(),
		Vision:   vision.DefaultConfig(),
		Fetch:    fetch.DefaultConfig(),
		Pipeline: pipeline.DefaultConfig(),
		Worker:   worker.DefaultConfig(),
		Crawl:    crawl.DefaultConfig(),
		Connect:  connector.DefaultConfig(),
		Alert:    alert.DefaultConfig(),
		Network:  network.DefaultConfig(),
		Retro:    pipeline.DefaultRetroConfig(),

		OpenCVThreads: 1,
	}
	return c
}

// env reads COUNTERLENS_<name>, or the file named by COUNTERLENS_<name>_FILE
// (Docker secrets).
func env(name string) (string, bool, error) {
	if v, ok := os.LookupEnv("COUNTERLENS_" + name); ok {
		return v, true, nil
	}
	if p, ok := os.LookupEnv("COUNTERLENS_" + name + "_FILE"); ok {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", false, fmt.Errorf("COUNTERLENS_%s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), true, nil
	}
	return "", false, nil
}

// loadConfig applies the environment, then the flags of fs (already
// registered by bindFlags) from args.
func loadConfig(fs *flag.FlagSet, args []string) (config, error) {
	c := defaultConfig()
	var errs []error
	str := func(name string, dst *string) {
		v, ok, err := env(name)
		errs = append(errs, err)
		if ok {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool) {
		v, ok, err := env(name)
		errs = append(errs, err)
		if ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("COUNTERLENS_%s: %w", name, err))
			}
			*dst = b
		}
	}
	integer := func(name string, dst *int) {
		v, ok, err := env(name)
		errs = append(errs, err)
		if ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("COUNTERLENS_%s: %w", name, err))
			}
			*dst = n
		}
	}
	duration := func(name string, dst *time.Duration) {
		v, ok, err := env(name)
		errs = append(errs, err)
		if ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("COUNTERLENS_%s: %w", name, err))
			}
			*dst = d
		}
	}
	var langs, level string
	str("ADDR", &c.Addr)
	str("REDIS_URL", &c.Redis.URL)
	str("ADMIN_KEY", &c.API.AdminKey)
	str("DATA_DIR", &c.DataDir)
	str("EVIDENCE_KEY_FILE", &c.EvidenceKeyFile)
	str("BLOB_URL", &c.BlobURL)
	str("SOURCES_FILE", &c.SourcesFile)
	str("USER_AGENT", &c.Fetch.UserAgent)
	str("PROXY", &c.Fetch.Proxy)
	str("PHONE_REGION", &c.Region)
	str("OCR_LANGUAGES", &langs)
	str("LOG_LEVEL", &level)
	str("LOCAL_ROOT", &c.Connect.LocalRoot)
	str("PUBLIC_URL", &c.Alert.PublicURL)
	str("EBAY_CLIENT_ID", &c.Connect.EbayClientID)
	str("EBAY_CLIENT_SECRET", &c.Connect.EbayClientSecret)
	boolean("ALLOW_PRIVATE_FETCH", &c.Fetch.AllowPrivate)
	boolean("RESPECT_ROBOTS", &c.Fetch.RespectRobots)
	boolean("DISABLE_OCR", &c.Vision.DisableOCR)
	integer("WORKERS", &c.Worker.Concurrency)
	integer("VISION_WORKERS", &c.Vision.Workers)
	integer("RETRO_DAYS", &c.Retro.Days)
	integer("OPENCV_THREADS", &c.OpenCVThreads)
	duration("VISIBILITY_TIMEOUT", &c.Redis.Visibility)
	errs = append(errs, rateLimitEnv(&c.API.RateLimit))
	if err := errors.Join(errs...); err != nil {
		return c, err
	}

	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (COUNTERLENS_ADDR)")
	fs.StringVar(&c.Redis.URL, "redis", c.Redis.URL, "Redis URL (COUNTERLENS_REDIS_URL)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data folder for evidence (COUNTERLENS_DATA_DIR)")
	fs.BoolVar(&c.Fetch.AllowPrivate, "allow-private-fetch", c.Fetch.AllowPrivate, "fetch from loopback and private addresses (COUNTERLENS_ALLOW_PRIVATE_FETCH)")
	fs.IntVar(&c.Worker.Concurrency, "workers", c.Worker.Concurrency, "jobs processed at once (COUNTERLENS_WORKERS)")
	fs.StringVar(&langs, "ocr-languages", langs, "tesseract languages, e.g. eng+deu (COUNTERLENS_OCR_LANGUAGES)")
	fs.StringVar(&level, "log-level", level, "debug, info, warn or error (COUNTERLENS_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if langs != "" {
		c.Vision.OCR.Languages = strings.FieldsFunc(langs, func(r rune) bool { return r == '+' || r == ',' })
	}
	if level != "" {
		if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
			return c, fmt.Errorf("log level: %w", err)
		}
	}
	if c.Vision.Workers < 1 {
		c.Vision.Workers = 1
	}
	c.Vision.OCR.Workers = c.Vision.Workers
	c.Alert.Name = c.Worker.Name
	c.API.AllowPrivateHooks = c.Fetch.AllowPrivate
	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	return c, c.validate()
}

func (c config) validate() error {
	errs := []error{c.Redis.Validate(), c.API.Validate(), c.Fetch.Validate(), c.Pipeline.Validate(),
		c.Worker.Validate(), c.Crawl.Validate(), c.Vision.Validate(), c.Connect.Validate(), c.Alert.Validate()}
	errs = append(errs, c.Network.Validate(), c.Retro.Validate())
	if c.Addr == "" {
		errs = append(errs, errors.New("listen address is empty"))
	}
	if c.OpenCVThreads < 0 || c.OpenCVThreads > maxOpenCVThreads {
		errs = append(errs, fmt.Errorf("COUNTERLENS_OPENCV_THREADS: %d, want 0 (OpenCV's default) to %d", c.OpenCVThreads, maxOpenCVThreads))
	}
	return errors.Join(errs...)
}

// rateLimitEnv reads COUNTERLENS_RATE_LIMIT (calls a second per key; the
// burst becomes twice that) and COUNTERLENS_RATE_BURST (calls at once).
func rateLimitEnv(dst *models.RateLimit) error {
	if v, ok, err := env("RATE_LIMIT"); err != nil {
		return err
	} else if ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("COUNTERLENS_RATE_LIMIT: %w", err)
		}
		dst.PerSecond, dst.Burst = f, 0
	}
	if v, ok, err := env("RATE_BURST"); err != nil {
		return err
	} else if ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("COUNTERLENS_RATE_BURST: %w", err)
		}
		dst.Burst = n
	}
	return nil
}
