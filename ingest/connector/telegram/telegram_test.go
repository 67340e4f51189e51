package telegram

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/localfs"
	"counterlens/models"
)

func testConfig(t *testing.T, root string) connector.Config {
	t.Helper()
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg := connector.DefaultConfig()
	cfg.LocalRoot = abs
	return cfg
}

func TestCrawlExport(t *testing.T) {
	cfg := testConfig(t, "testdata")
	dir, err := filepath.EvalSymlinks(filepath.Join(cfg.LocalRoot, "export"))
	if err != nil {
		t.Fatal(err)
	}
	src := models.Source{ID: "t1", Type: "telegram", URL: "file://" + dir}
	c := New(cfg)
	res, err := c.Crawl(context.Background(), src, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range res.Listings {
		ids = append(ids, l.ExternalID)
	}
	if !slices.Equal(ids, []string{"1876543210/7", "1876543210/5", "1876543210/4", "1876543210/2"}) {
		t.Fatalf("listings %v, want newest first, album and service messages folded or skipped", ids)
	}
	photo := func(name string) string { return localfs.FileURL(filepath.Join(dir, name)) }
	rolex := res.Listings[3]
	if rolex.Platform != "telegram" || rolex.Title != "Rolex Daytona Panda" ||
		rolex.Desc != "Rolex Daytona Panda\nSuper clone, 4130 movement. Price 350€\nOrder: @lux_orders" ||
		rolex.Price != 350 || rolex.Currency != "EUR" || rolex.Seller != "Luxury Replica Deals" ||
		rolex.URL != localfs.FileURL(filepath.Join(dir, "result.json"))+"#message2" ||
		!slices.Equal(rolex.ImageURLs, []string{photo("photos/photo_1@19-11-2026_10-15-02.jpg"), photo("photos/photo_2@19-11-2026_10-15-02.jpg")}) {
		t.Errorf("album listing %#v", rolex)
	}
	if !strings.Contains(rolex.ImageURLs[0], "photo_1@19-11-2026_10-15-02.jpg") || !strings.HasPrefix(rolex.ImageURLs[0], "file:///") {
		t.Errorf("image URL %q", rolex.ImageURLs[0])
	}
	if b := res.Listings[2]; b.Price != 900 || b.Currency != "USD" || len(b.ImageURLs) != 0 || b.ImageURLs == nil {
		t.Errorf("photo not exported %#v", b)
	}
	if ap := res.Listings[1]; !slices.Equal(ap.ImageURLs, []string{photo("files/IMG_2044.PNG")}) {
		t.Errorf("image sent as file %#v", ap)
	}
	if pdf := res.Listings[0]; pdf.Title != "Catalogue PDF" || len(pdf.ImageURLs) != 0 {
		t.Errorf("pdf message %#v", pdf)
	}
	if res.State != `{"1876543210":7}` {
		t.Errorf("state %s", res.State)
	}
	again, err := c.Crawl(context.Background(), src, res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Listings) != 0 || again.State != res.State {
		t.Errorf("second crawl: %d listings, state %s", len(again.Listings), again.State)
	}
	mid, err := c.Crawl(context.Background(), src, `{"1876543210":4}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(mid.Listings) != 2 || mid.Listings[1].ExternalID != "1876543210/5" {
		t.Errorf("crawl since 4: %+v", mid.Listings)
	}
}

func TestCrawlFullExport(t *testing.T) {
	root := t.TempDir()
	doc := `{"personal_information":{"first_name":"A"},"chats":{"about":"","list":[
		{"name":"Shop A","type":"public_supergroup","id":11,"messages":[{"id":3,"type":"message","from":"seller_a","from_id":"user5","date_unixtime":"1","text":"Gucci belt 20 EUR"}]},
		{"name":"Shop B","type":"private_channel","id":22,"messages":[{"id":9,"type":"message","from":"","date_unixtime":"2","text":["Prada ",{"type":"italic","text":"bag"}]}]}]}}`
	if err := os.WriteFile(filepath.Join(root, "result.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := New(testConfig(t, root)).Crawl(context.Background(), models.Source{Type: "telegram", URL: "file://" + root}, `{"22":1}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Listings) != 2 || res.Listings[0].ExternalID != "11/3" || res.Listings[0].Price != 20 ||
		res.Listings[1].Title != "Prada bag" || res.Listings[1].Seller != "Shop B" {
		t.Errorf("listings %+v", res.Listings)
	}
	if res.State != `{"11":3,"22":9}` {
		t.Errorf("state %s", res.State)
	}
}

func TestCrawlErrors(t *testing.T) {
	write := func(t *testing.T, body string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "result.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cases := map[string]struct {
		body, state string
		noRoot      bool
		otherRoot   bool
		noFile      bool
		maxBytes    int64
		want        error
		wantType    any
	}{
		"disabled":       {body: `{"name":"x","messages":[]}`, noRoot: true, want: localfs.ErrDisabled},
		"outside root":   {body: `{"name":"x","messages":[]}`, otherRoot: true, want: connector.ErrBadSource},
		"no result.json": {noFile: true, want: connector.ErrBadSource},
		"bad state":      {body: `{"name":"x","messages":[]}`, state: "[1]"},
		"not json":       {body: `<html>`, want: connector.ErrBadResponse},
		"not an export":  {body: `{"foo":1}`, wantType: new(*connector.FieldError)},
		"missing id":     {body: `{"name":"x","messages":[{"type":"message","text":"a"}]}`, wantType: new(*connector.FieldError)},
		"bad text":       {body: `{"name":"x","messages":[{"id":1,"type":"message","text":{"a":1}}]}`, want: connector.ErrBadResponse},
		"bad entity":     {body: `{"name":"x","messages":[{"id":1,"type":"message","text":[1]}]}`, want: connector.ErrBadResponse},
		"too large":      {body: `{"name":"` + strings.Repeat("x", 5000) + `","messages":[]}`, maxBytes: 1024, want: connector.ErrTooLarge},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if !c.noFile {
				dir = write(t, c.body)
			}
			cfg := testConfig(t, dir)
			switch {
			case c.noRoot:
				cfg.LocalRoot = ""
			case c.otherRoot:
				cfg.LocalRoot = t.TempDir()
			}
			if c.maxBytes != 0 {
				cfg.MaxPageBytes, cfg.MaxPages = c.maxBytes, 2
			}
			_, err := New(cfg).Crawl(context.Background(), models.Source{Type: "telegram", URL: "file://" + dir}, c.state)
			if err == nil {
				t.Fatal("no error")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
			if c.wantType != nil && !errors.As(err, c.wantType) {
				t.Errorf("error %v (%T), want a %T", err, err, c.wantType)
			}
		})
	}
}
