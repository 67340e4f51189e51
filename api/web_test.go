package api

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestReviewPageServed(t *testing.T) {
	_, e := testServer(t, newStore(t, redistest.URL(t)), &fakeAnalyzer{}, nil)
	for path, want := range map[string]string{"/": "<title>counterlens review</title>", "/ui/app.js": "drawBoxes", "/ui/app.css": ".box"} {
		res, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(b.String(), want) {
			t.Errorf("GET %s: %d, want a body with %q", path, res.StatusCode, want)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
	}
	wantError(t, e.do(http.MethodGet, "/ui/", "", "", nil), 404, typeNotFound)
	wantError(t, e.do(http.MethodGet, "/ui/../openapi.go", "", "", nil), 404, typeNotFound)
}

// grayPNG is a flat mid-grey picture, so the overlay stands out in a
// screenshot.
func grayPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{128, 128, 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: the review page is tested in a real browser. " +
		"Install Debian's package (apt-get install -y chromium; scripts/test.sh does), or run go test -short to skip")
	return ""
}

type rect struct{ X, Y, W, H float64 }

// TestReviewPageInChromium signs in, opens the top suspicion and checks
// that the logo's box is drawn over the photo where the analysis found it,
// in the page and in a screenshot; then uploads a logo from the brands view.
func TestReviewPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("drives headless chromium")
	}
	bin := chromiumPath(t)
	store := newStore(t, redistest.URL(t))
	blobs, err := evidence.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, e := testServer(t, store, &fakeAnalyzer{}, blobs)
	nike := e.createBrand("Nike")
	r := e.json(http.MethodPost, "/v1/listings", adminKey, map[string]any{"platform": "ebay", "external_id": "77",
		"title": "Air max replica 1:1", "price": 19.99, "currency": "EUR", "seller": "cheap-kicks",
		"url": "https://market.example/itm/77", "image_urls": []string{"https://market.example/77.png"}})
	var sub submitResponse
	r.json(t, &sub)
	const iw, ih = 800, 600
	l := finishWithImage(t, store, blobs, sub.ListingID, nike, grayPNG(t, iw, ih))
	bbox := *l.Analysis.Signals[0].BBox
	key := e.createKey(models.RoleMonitor)

	ctx := startBrowser(t, bin)
	rectOf := func(sel string) chromedp.Action[rect] {
		return chromedp.Evaluate[rect](fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`, sel))
	}
	err = chromedp.Do(ctx, signIn(e.srv.URL, key))
	if err != nil {
		failShot(t, ctx)
		t.Fatalf("sign in and see the queue: %v", err)
	}
	queue, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("items")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#items li")), chromedp.WaitVisible(chromedp.CSS("#d-boxes .box.logo"))); err != nil {
		t.Fatalf("open the detail: %v", err)
	}
	img, err := chromedp.Run(ctx, rectOf("#d-img"))
	if err != nil {
		t.Fatal(err)
	}
	box, err := chromedp.Run(ctx, rectOf("#d-boxes .box.logo"))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if !strings.Contains(queue, "Air max replica") || !strings.Contains(queue, "91%") {
		t.Errorf("queue shows %q, want the listing's title and score", queue)
	}
	if img.W < 100 || img.W > iw+0.5 {
		t.Fatalf("photo drawn %gx%g", img.W, img.H)
	}
	scale := img.W / iw
	want := rect{img.X + float64(bbox.X)*scale, img.Y + float64(bbox.Y)*scale, float64(bbox.W) * scale, float64(bbox.H) * scale}
	if math.Abs(box.X-want.X) > 1.5 || math.Abs(box.Y-want.Y) > 1.5 || math.Abs(box.W-want.W) > 1.5 || math.Abs(box.H-want.H) > 1.5 {
		t.Errorf("logo box at %+v, want %+v (photo at %+v, scale %.3f)", box, want, img, scale)
	}
	if dir := os.Getenv("COUNTERLENS_SCREENSHOT_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "review-detail.png"), shot, 0o644)
	}
	checkScreenshot(t, shot, box)

	// Brands view: upload a logo through the page.
	logo := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logo, pngBytes(t, 64, 48), 0o600); err != nil {
		t.Fatal(err)
	}
	adminCtx, cancelAdmin := chromedp.NewContext(ctx)
	defer cancelAdmin()
	err = chromedp.Do(adminCtx,
		signIn(e.srv.URL, adminKey),
		chromedp.Click(chromedp.CSS(`button[data-view="brands"]`)),
		chromedp.WaitVisible(chromedp.ID("logos-"+nike.ID)),
		chromedp.SetUploadFiles(chromedp.ID("file-"+nike.ID), []string{logo}),
	)
	if err == nil {
		_, err = chromedp.Run(adminCtx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById(%q).textContent === "1 reference logo"`, "logos-"+nike.ID)))
	}
	if err != nil {
		status, _ := chromedp.Run(adminCtx, chromedp.Text(chromedp.ID("logos-"+nike.ID)))
		t.Fatalf("logo upload in chromium: %v (status %q)", err, status)
	}
	logos, err := store.Logos(context.Background())
	if err != nil || len(logos) != 1 || logos[0].BrandID != nike.ID {
		t.Fatalf("after the upload the store holds %+v (%v)", logos, err)
	}
}

// startBrowser starts headless chromium for one test, 1280x900, bounded
// to a minute.
func startBrowser(t *testing.T, bin string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(cancelT)
	return ctx
}

// signIn opens the page, signs in with key and waits for the queue.
func signIn(base, key string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), key),
		chromedp.Click(chromedp.CSS("#signin-form button")),
		chromedp.WaitVisible(chromedp.CSS(`#items[aria-busy="false"] li`)),
	)
}

// checkScreenshot checks the pixels: the box's edge has the logo overlay
// colour, and its inside still shows the photo.
func checkScreenshot(t *testing.T, shot []byte, box rect) {
	t.Helper()
	pic, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	near := func(c color.Color, r, g, b uint8) bool {
		cr, cg, cb, _ := c.RGBA()
		d := func(a uint32, b uint8) bool { return math.Abs(float64(a>>8)-float64(b)) <= 24 }
		return d(cr, r) && d(cg, g) && d(cb, b)
	}
	midY := int(box.Y + box.H/2)
	midX := int(box.X + box.W/2)
	edges := map[string]image.Point{
		"left":   {int(box.X) + 1, midY},
		"right":  {int(box.X+box.W) - 2, midY},
		"bottom": {midX, int(box.Y+box.H) - 2},
	}
	for name, p := range edges {
		if c := pic.At(p.X, p.Y); !near(c, 0xff, 0x00, 0xaa) {
			t.Errorf("screenshot: %s edge of the logo box at %v is %v, want the overlay colour #ff00aa", name, p, c)
		}
	}
	if c := pic.At(midX, midY); !near(c, 128, 128, 128) {
		t.Errorf("screenshot: inside of the box at (%d,%d) is %v, want the grey photo", midX, midY, c)
	}
}

// failShot keeps what the browser showed when a step failed.
func failShot(t *testing.T, ctx context.Context) {
	t.Helper()
	dir := os.Getenv("COUNTERLENS_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	if b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "failed.png"), b, 0o644)
	}
	if h, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`)); err == nil {
		t.Logf("page text: %s", h)
	}
}

// TestReviewDecisionsInChromium dismisses one suspicion and confirms
// another through the page, with notes; checks the status filter shows
// each where it belongs; and downloads the evidence bundle, a zip that
// holds the manifest and the review in its custody log.
func TestReviewDecisionsInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("drives headless chromium")
	}
	bin := chromiumPath(t)
	bg := context.Background()
	store := newStore(t, redistest.URL(t))
	blobs, err := evidence.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	parts := &EvidenceParts{Blobs: blobs, Signer: evidence.NewSigner(key), Custody: store, Generator: "counterlens test"}
	_, e := testServer(t, store, &fakeAnalyzer{}, blobs, func(s *Server) { s.Evidence = parts })
	nike := e.createBrand("Nike")
	listing := func(ext, title string, shade uint8) models.Listing {
		var sub submitResponse
		e.json(http.MethodPost, "/v1/listings", adminKey, map[string]any{"platform": "ebay", "external_id": ext, "title": title,
			"image_urls": []string{"https://market.example/" + ext + ".png"}}).json(t, &sub)
		return finishWithImage(t, store, blobs, sub.ListingID, nike, grayPNG(t, 400+int(shade), 300))
	}
	genuine := listing("1", "Genuine shop photo", 0)
	fake := listing("2", "Fake sneakers", 8)
	mon := e.createKey(models.RoleMonitor)

	ctx := startBrowser(t, bin)
	// count is the number of queue items once the list settles on want.
	count := func(want int) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll("#items li").length === %d`, want)))
		return err
	}
	open := func(title string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Click(chromedp.Search(`//ol[@id="items"]/li[.//div[@class="t" and contains(., "`+title+`")]]`)),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("d-title").textContent === %q`, title))(ctx, tg)
				return err
			}),
		)
	}
	fatal := func(step string, err error) {
		t.Helper()
		if err != nil {
			failShot(t, ctx)
			t.Fatalf("%s: %v", step, err)
		}
	}
	fatal("sign in", chromedp.Do(ctx, signIn(e.srv.URL, mon)))
	fatal("two suspicions", count(2))

	// Dismiss the genuine one with a note.
	fatal("dismiss", chromedp.Do(ctx,
		open("Genuine shop photo"),
		chromedp.SendKeys(chromedp.ID("r-note"), "the brand's own shop"),
		chromedp.Click(chromedp.ID("r-dismiss")),
		chromedp.WaitVisible(chromedp.CSS("#items li .status.dismissed")),
	))
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("d-review"))); !strings.Contains(txt, "Dismissed") || !strings.Contains(txt, "the brand's own shop") {
		t.Errorf("the detail says %q after dismissing", txt)
	}
	l, err := store.Listing(bg, genuine.ID)
	if err != nil || l.Review == nil || l.Review.Decision != models.DecisionDismiss || l.Review.Note != "the brand's own shop" {
		t.Fatalf("stored review %+v (%v)", l.Review, err)
	}
	// The default queue no longer has it; the dismissed filter does.
	fatal("reload the default queue", chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#filters button[type=submit]"))))
	fatal("the dismissed one left the queue", count(1))
	fatal("filter dismissed", chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("f-status"), "dismissed"),
		chromedp.Click(chromedp.CSS("#filters button[type=submit]")),
	))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const li = document.querySelectorAll("#items li");
		return li.length === 1 && li[0].textContent.includes("Genuine shop photo") && li[0].textContent.includes("dismissed"); })()`))
	if err != nil {
		q, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("items")))
		t.Fatalf("the dismissed filter shows %q: %v", q, err)
	}

	// Confirm the fake one, then download its evidence.
	fatal("confirm", chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("f-status"), "open"),
		chromedp.Click(chromedp.CSS("#filters button[type=submit]")),
		chromedp.WaitVisible(chromedp.Search(`//ol[@id="items"]/li[contains(., "Fake sneakers")]`)),
		open("Fake sneakers"),
		chromedp.SendKeys(chromedp.ID("r-note"), "fake"),
		chromedp.Click(chromedp.ID("r-confirm")),
		chromedp.WaitVisible(chromedp.CSS("#items li .status.confirmed")),
	))
	if dir := os.Getenv("COUNTERLENS_SCREENSHOT_DIR"); dir != "" {
		if shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "review-decided.png"), shot, 0o644)
		}
	}
	ex, err := store.Examples(bg, nike.ID)
	if err != nil || len(ex) != 1 || ex[0].ListingID != fake.ID || len(ex[0].BBoxes) != 1 {
		t.Fatalf("Nike's examples after the confirmation: %+v (%v)", ex, err)
	}

	dir := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	fatal("download the evidence", chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &[]bool{true}[0]})
			return err
		}),
		chromedp.Click(chromedp.ID("d-evidence")),
	))
	var file string
	for ev, err := range progress {
		fatal("wait for the download", err)
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the evidence download was cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("the evidence download is not a zip: %v", err)
	}
	defer zr.Close()
	var names []string
	reviewed := false
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		reviewed = reviewed || bytes.Contains(b, []byte(`"reviewed"`))
	}
	if !slices.Contains(names, "manifest.json") || !reviewed {
		t.Errorf("the bundle holds %v (a reviewed custody event: %v)", names, reviewed)
	}
}

// TestNetworkShownInChromium: a listing whose seller shares a WhatsApp
// number with a seller on another platform shows its network in the queue
// and, on demand, the network's members and what links them.
func TestNetworkShownInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("drives headless chromium")
	}
	bin := chromiumPath(t)
	store := newStore(t, redistest.URL(t))
	_, e := testServer(t, store, &fakeAnalyzer{}, nil)
	nike := e.createBrand("Nike").ID
	analysedListing(t, e, "ebay", "kicks", nike, "+447700900123")
	analysedListing(t, e, "telegram", "plug", nike, "+447700900123")
	key := e.createKey(models.RoleMonitor)

	ctx := startBrowser(t, bin)
	// The officer lowers the queue's minimum score to 0 to see every
	// listing.
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), key),
		chromedp.Click(chromedp.CSS("#signin-form button")),
		chromedp.WaitVisible(chromedp.ID("f-min")),
		chromedp.SetValue(chromedp.ID("f-min"), "0"),
		chromedp.Click(chromedp.CSS("#filters button[type=submit]")),
		// Both listings (score 0.73) are already shown by the sign-in's
		// load (minimum 0.5): wait for the filtered load's items, or the
		// click below can land on an item that load is replacing.
		chromedp.WaitVisible(chromedp.CSS(`#items[aria-busy="false"] li`)))
	if err != nil {
		failShot(t, ctx)
		t.Fatalf("sign in and list every score: %v", err)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#items li")),
		chromedp.WaitVisible(chromedp.ID("d-network")),
		chromedp.Click(chromedp.ID("d-network-show")),
		chromedp.WaitVisible(chromedp.CSS("#d-network-members li")))
	if err != nil {
		failShot(t, ctx)
		t.Fatalf("open the network: %v", err)
	}
	queue, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("items")))
	if err != nil {
		t.Fatal(err)
	}
	size, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("d-network-size")))
	if err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("d-network-links")))
	if err != nil {
		t.Fatal(err)
	}
	members, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("d-network-members")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(queue, "network of 2 sellers") != 2 {
		t.Errorf("queue %q: want both listings labelled with their network of 2 sellers", queue)
	}
	if !strings.Contains(size, "2 listings by 2 sellers") {
		t.Errorf("network size %q", size)
	}
	if !strings.Contains(links, "+447700900123") {
		t.Errorf("network links %q: want the shared WhatsApp number", links)
	}
	for _, want := range []string{"ebay · kicks", "telegram · plug"} {
		if !strings.Contains(members, want) {
			t.Errorf("network members %q: want %q", members, want)
		}
	}
}
