//go:build cgo

package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"

	"counterlens/models"
	"counterlens/vision/text"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"default", func(*Config) {}, true},
		{"two languages", func(c *Config) { c.Languages = []string{"eng", "deu"} }, true},
		{"no languages", func(c *Config) { c.Languages = nil }, false},
		{"bad language", func(c *Config) { c.Languages = []string{"../eng"} }, false},
		{"no workers", func(c *Config) { c.Workers = 0 }, false},
		{"tiny max side", func(c *Config) { c.MaxSide = 100 }, false},
		{"tiny text", func(c *Config) { c.MinTextHeight = 2 }, false},
		{"no regions", func(c *Config) { c.MaxRegions = 0 }, false},
		{"target height", func(c *Config) { c.TargetHeight = 500 }, false},
		{"upscale", func(c *Config) { c.MaxUpscale = 0.5 }, false},
		{"confidence", func(c *Config) { c.MinWordConfidence = 1.5 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			if err := c.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func newTestPool(t testing.TB, workers int) *Pool {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Workers = workers
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

var testMatcher = text.NewMatcher([]models.Brand{{ID: "nike", Name: "Nike"}, {ID: "gucci", Name: "Gucci"}}, nil)

type want struct {
	typ   models.SignalType
	kind  string
	value string
	brand string
}

func signalsOf(ws []models.Word) []models.Signal {
	return testMatcher.FindWords(ws, text.Options{Source: models.SourceImageText})
}

func hasSignal(sigs []models.Signal, w want) *models.Signal {
	for i, s := range sigs {
		if s.Type == w.typ && s.Kind == w.kind && (w.value == "" || s.Value == w.value) && s.BrandID == w.brand {
			return &sigs[i]
		}
	}
	return nil
}

// TestRecognizeBanners draws phrases with real fonts onto real photos, in
// banners of both polarities, and checks that the phrase and the contact
// are read and that their boxes lie on the banner in the photo's pixels.
func TestRecognizeBanners(t *testing.T) {
	if testing.Short() {
		t.Skip("tesseract")
	}
	p := newTestPool(t, 1)
	bold := loadFont(t, "testdata/LiberationSans-Bold.ttf")
	regular := loadFont(t, "testdata/LiberationSans-Regular.ttf")
	tests := []struct {
		name  string
		photo string
		font  string
		b     banner
		want  []want
	}{
		{"white on red banner, risk terms and leet brand", "fruits.jpg", "bold",
			banner{Text: "REPLICA 1:1 AAA+ N1KE", Size: 28, At: image.Pt(20, 30), Dark: true},
			[]want{{typ: models.SignalRiskTerm, value: "replica"}, {typ: models.SignalRiskTerm, value: "1:1"},
				{typ: models.SignalRiskTerm, value: "aaa"}, {typ: models.SignalImageTextBrand, brand: "nike"}}},
		{"dark on light banner, whatsapp number", "building.jpg", "regular",
			banner{Text: "WhatsApp +44 7700 900123", Size: 22, At: image.Pt(30, 200)},
			[]want{{typ: models.SignalContact, kind: models.ContactWhatsApp, value: "+447700900123"}}},
		{"white on red banner, wechat and telegram", "building.jpg", "bold",
			banner{Text: "WeChat: shoeking88  t.me/sneakerplug", Size: 18, At: image.Pt(10, 300), Dark: true},
			[]want{{typ: models.SignalContact, kind: models.ContactWeChat, value: "shoeking88"},
				{typ: models.SignalContact, kind: models.ContactTelegram, value: "sneakerplug"}}},
		{"dark on light banner, spaced brand and risk term", "home.jpg", "bold",
			banner{Text: "G U C C I  mirror quality", Size: 26, At: image.Pt(15, 120)},
			[]want{{typ: models.SignalImageTextBrand, brand: "gucci"}, {typ: models.SignalRiskTerm, value: "mirror quality"}}},
		{"white on red banner, e-mail", "messi5.jpg", "bold",
			banner{Text: "order: shoeking88@gmail.com", Size: 20, At: image.Pt(20, 250), Dark: true},
			[]want{{typ: models.SignalContact, kind: models.ContactEmail, value: "shoeking88@gmail.com"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := bold
			if tc.font == "regular" {
				f = regular
			}
			img, band := render(t, loadImage(t, "testdata/"+tc.photo), f, tc.b)
			ws, err := p.Recognize(context.Background(), img)
			if err != nil {
				t.Fatal(err)
			}
			sigs := signalsOf(ws)
			slack := band.Inset(-4)
			for _, w := range tc.want {
				s := hasSignal(sigs, w)
				if s == nil {
					t.Errorf("missing %+v; words %v", w, words(ws))
					continue
				}
				r := image.Rect(s.BBox.X, s.BBox.Y, s.BBox.X+s.BBox.W, s.BBox.Y+s.BBox.H)
				if !r.In(slack) || r.Dy() < int(tc.b.Size/3) {
					t.Errorf("%s %s: box %v not on the banner %v", w.typ, w.value, r, band)
				}
			}
		})
	}
}

func words(ws []models.Word) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Text)
	}
	return out
}

// TestRecognizeLargePhoto checks boxes on a photo larger than MaxSide,
// which is searched scaled down: they must come back in its own pixels.
func TestRecognizeLargePhoto(t *testing.T) {
	if testing.Short() {
		t.Skip("tesseract")
	}
	p := newTestPool(t, 1)
	src := loadImage(t, "testdata/building.jpg")
	big := image.NewRGBA(image.Rect(0, 0, src.Bounds().Dx()*5/2, src.Bounds().Dy()*5/2))
	xdraw.CatmullRom.Scale(big, big.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	img, band := render(t, big, loadFont(t, "testdata/LiberationSans-Bold.ttf"),
		banner{Text: "SUPER COPY  WhatsApp +44 7911 123456", Size: 64, At: image.Pt(300, 900), Dark: true})
	ws, err := p.Recognize(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	sigs := signalsOf(ws)
	for _, w := range []want{{typ: models.SignalRiskTerm, value: "super copy"}, {typ: models.SignalContact, kind: models.ContactWhatsApp, value: "+447911123456"}} {
		s := hasSignal(sigs, w)
		if s == nil {
			t.Fatalf("missing %+v in %v", w, words(ws))
		}
		r := image.Rect(s.BBox.X, s.BBox.Y, s.BBox.X+s.BBox.W, s.BBox.Y+s.BBox.H)
		if !r.In(band.Inset(-8)) || r.Dy() < 30 {
			t.Errorf("%s: box %v not on the banner %v", w.value, r, band)
		}
	}
}

// TestRecognizePhotosWithoutText: plain photos give no findings.
func TestRecognizePhotosWithoutText(t *testing.T) {
	if testing.Short() {
		t.Skip("tesseract")
	}
	p := newTestPool(t, 1)
	for _, name := range []string{"fruits.jpg", "building.jpg", "home.jpg", "messi5.jpg"} {
		t.Run(name, func(t *testing.T) {
			ws, err := p.Recognize(context.Background(), loadImage(t, "testdata/"+name))
			if err != nil {
				t.Fatal(err)
			}
			if sigs := signalsOf(ws); len(sigs) > 0 {
				t.Errorf("findings in a photo without text: %+v", sigs)
			}
		})
	}
}

func TestRecognizeCanceled(t *testing.T) {
	p := newTestPool(t, 1)
	img, _ := render(t, loadImage(t, "testdata/home.jpg"), loadFont(t, "testdata/LiberationSans-Bold.ttf"),
		banner{Text: "REPLICA", Size: 30, At: image.Pt(20, 20)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Recognize(ctx, img); !errors.Is(err, context.Canceled) {
		t.Errorf("Recognize on a canceled context = %v, want context.Canceled", err)
	}
}

// TestRecognizeConcurrent shares two clients among six goroutines: every
// call must read the same words.
func TestRecognizeConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("tesseract")
	}
	p := newTestPool(t, 2)
	img, _ := render(t, loadImage(t, "testdata/messi5.jpg"), loadFont(t, "testdata/LiberationSans-Bold.ttf"),
		banner{Text: "FAKE GUCCI 1:1", Size: 30, At: image.Pt(20, 20), Dark: true})
	first, err := p.Recognize(context.Background(), img)
	if err != nil || len(first) == 0 {
		t.Fatalf("Recognize = %v, %v", first, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			ws, err := p.Recognize(context.Background(), img)
			if err == nil && !slices.Equal(words(ws), words(first)) {
				err = fmt.Errorf("read %q, first call read %q", words(ws), words(first))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestRecognizeAfterClose(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workers = 1
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	img, _ := render(t, loadImage(t, "testdata/home.jpg"), loadFont(t, "testdata/LiberationSans-Bold.ttf"),
		banner{Text: "REPLICA", Size: 30, At: image.Pt(20, 20)})
	if _, err := p.Recognize(context.Background(), img); !errors.Is(err, ErrClosed) {
		t.Errorf("Recognize after Close = %v, want ErrClosed", err)
	}
}

func TestNewPoolMissingLanguage(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workers = 1
	cfg.Languages = []string{"xyz"}
	if p, err := NewPool(cfg); err == nil {
		p.Close()
		t.Fatal("NewPool with a missing language succeeded")
	}
}
