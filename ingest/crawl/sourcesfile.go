package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"counterlens/models"
)

// SourcesFile is the YAML file of sources to crawl (COUNTERLENS_SOURCES_FILE):
//
//	sources:
//	  - name: shop-sneakers        # unique; counterlens crawl takes it
//	    type: shopify              # a connector
//	    url: https://shop.example  # the platform's base URL (file:///… for telegram, folder)
//	    query: sneakers            # search term, hashtag, community, selectors
//	    interval: 15m              # 1m to 720h; empty: the crawler's default
type SourcesFile struct {
	Sources []FileSource `yaml:"sources"`
}

// FileSource is one source of a [SourcesFile].
type FileSource struct {
	Name     string `yaml:"name"`
	Type     string `yaml:"type"`
	URL      string `yaml:"url"`
	Query    string `yaml:"query"`
	Interval string `yaml:"interval"`
}

// maxSourcesFile caps the file's size.
const maxSourcesFile = 1 << 20

var sourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// localTypes read folders named by file:// URLs instead of platforms.
var localTypes = []string{"folder", "telegram"}

// LoadSources reads and checks a sources file; types are the source types
// that have a connector. The error names every problem, with the source it
// is in.
func LoadSources(path string, types []string) ([]models.Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sources file: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxSourcesFile+1))
	if err != nil {
		return nil, fmt.Errorf("sources file: %w", err)
	}
	if len(raw) > maxSourcesFile {
		return nil, fmt.Errorf("sources file %s: larger than %d bytes", path, maxSourcesFile)
	}
	var file SourcesFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("sources file %s: %w", path, err)
	}
	var errs []error
	seen := map[string]bool{}
	out := make([]models.Source, 0, len(file.Sources))
	for i, fs := range file.Sources {
		src, problems := fs.check(types)
		where := fmt.Sprintf("sources file %s: source %d", path, i+1)
		if fs.Name != "" {
			where += fmt.Sprintf(" (%q)", fs.Name)
		}
		for _, p := range problems {
			errs = append(errs, fmt.Errorf("%s: %w", where, p))
		}
		if len(problems) > 0 {
			continue
		}
		if key := strings.ToLower(src.Name); seen[key] {
			errs = append(errs, fmt.Errorf("%s: the name is used by an earlier source", where))
		} else {
			seen[key] = true
		}
		out = append(out, src)
	}
	return out, errors.Join(errs...)
}

func (fs FileSource) check(types []string) (models.Source, []error) {
	src := models.Source{Name: strings.TrimSpace(fs.Name), Type: strings.ToLower(strings.TrimSpace(fs.Type)),
		URL: strings.TrimSpace(fs.URL), Query: fs.Query, Interval: strings.TrimSpace(fs.Interval)}
	var errs []error
	if !sourceName.MatchString(src.Name) {
		errs = append(errs, errors.New("name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"))
	}
	if !slices.Contains(types, src.Type) {
		errs = append(errs, fmt.Errorf("type %q is not one of %s", fs.Type, strings.Join(types, ", ")))
	}
	u, err := url.Parse(src.URL)
	switch {
	case slices.Contains(localTypes, src.Type):
		if err != nil || u.Scheme != "file" || u.Path == "" {
			errs = append(errs, fmt.Errorf("url %q must be a file:///absolute/path URL for a %s source", src.URL, src.Type))
		}
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(src.URL) > 2048:
		errs = append(errs, fmt.Errorf("url %q must be the platform's http or https URL", src.URL))
	}
	if len(src.Query) > 4096 {
		errs = append(errs, errors.New("query is longer than 4096 characters"))
	}
	if src.Interval != "" {
		d, err := time.ParseDuration(src.Interval)
		if err != nil || d < time.Minute || d > 30*24*time.Hour {
			errs = append(errs, fmt.Errorf("interval %q must be a duration from 1m to 720h, e.g. 15m", src.Interval))
		}
	}
	return src, errs
}

// SourceUpserter stores named sources.
type SourceUpserter interface {
	UpsertSource(ctx context.Context, src models.Source) (models.Source, bool, error)
}

// UpsertSources stores the sources of a sources file by name, and returns
// how many were new.
func UpsertSources(ctx context.Context, store SourceUpserter, srcs []models.Source) (int, error) {
	n := 0
	for _, src := range srcs {
		_, created, err := store.UpsertSource(ctx, src)
		if err != nil {
			return n, fmt.Errorf("store source %q: %w", src.Name, err)
		}
		if created {
			n++
		}
	}
	return n, nil
}
