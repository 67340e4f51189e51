package redisq

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/network"
	"counterlens/ingest/score"
	"counterlens/models"
)

// offer is a listing as the analysis saw it: seller, contacts, photos.
type offer struct {
	platform, seller string
	whatsapp         string
	photos           [][2]string // sha256, phash
	logo             bool
}

// finish runs what the worker runs for an analysed listing: score, link
// into its network, store.
func finish(t *testing.T, s *Store, k *network.Linker, o offer) models.Listing {
	t.Helper()
	ctx := context.Background()
	sub, err := s.SubmitListing(ctx, models.Listing{Platform: o.platform, Seller: o.seller, Title: "sneakers"})
	if err != nil {
		t.Fatal(err)
	}
	l := sub.Listing
	an := &models.Analysis{Brands: []models.BrandHit{}, Signals: []models.Signal{}, AnalyzedAt: time.Now().UTC()}
	if o.logo {
		zero := 0
		an.Brands = append(an.Brands, models.BrandHit{BrandID: "nike", Name: "Nike", Confidence: 0.9})
		an.Signals = append(an.Signals, models.Signal{Type: models.SignalLogo, BrandID: "nike", Confidence: 0.9, ImageIndex: &zero, Reason: "logo"})
	}
	if o.whatsapp != "" {
		an.Signals = append(an.Signals, models.Signal{Type: models.SignalContact, Kind: models.ContactWhatsApp, Value: o.whatsapp, Confidence: 0.9, Reason: "whatsapp"})
	}
	for i, p := range o.photos {
		an.Images = append(an.Images, models.ImageReport{Index: i, SHA256: p[0], PHash: p[1]})
	}
	an.Score, an.Reasons = score.Score(k.Weights, an.Signals)
	l.Analysis = an
	if err := k.Link(ctx, &l); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	return l
}

func newLinker(s *Store, cfg network.Config) *network.Linker {
	return &network.Linker{Store: s, Cfg: cfg, Weights: score.DefaultWeights(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestNetworksLinkTransitivelyAcrossPlatforms(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	k := newLinker(s, network.DefaultConfig())

	a := finish(t, s, k, offer{platform: "ebay", seller: "kicks4u", whatsapp: "+447700900123", photos: [][2]string{{"sha-a", "8f3c0a1b2c3d4e5f"}}, logo: true})
	b := finish(t, s, k, offer{platform: "telegram", seller: "shoe_plug", whatsapp: "+447700900123", photos: [][2]string{{"sha-b", "0123456789abcdef"}}, logo: true})
	// c shows b's photo re-encoded: other bytes, phash 3 bits off.
	c := finish(t, s, k, offer{platform: "mastodon", seller: "sneakerhead", photos: [][2]string{{"sha-c", "0123456789abcde8"}}, logo: true})
	d := finish(t, s, k, offer{platform: "ebay", seller: "honest-shop", photos: [][2]string{{"sha-d", "f0f0f0f0f0f0f0f0"}}, logo: true})
	// The same account as a, on the same platform, another day.
	a2 := finish(t, s, k, offer{platform: "ebay", seller: "KICKS4U", photos: [][2]string{{"sha-a2", "7777777777777777"}}})

	la, err := s.Listing(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if la.Network == nil || la.Network.Size != 4 || la.Network.Sellers != 3 {
		t.Fatalf("network of a: %+v, want 4 listings of 3 sellers", la.Network)
	}
	for _, l := range []models.Listing{b, c, a2} {
		got, _ := s.Listing(ctx, l.ID)
		if got.Network == nil || got.Network.ID != la.Network.ID {
			t.Errorf("listing of %s is in network %+v, want %s", l.Seller, got.Network, la.Network.ID)
		}
	}
	ld, _ := s.Listing(ctx, d.ID)
	if ld.Network == nil || ld.Network.Size != 1 || ld.Network.ID == la.Network.ID {
		t.Errorf("unrelated listing: network %+v", ld.Network)
	}

	n, err := s.Network(ctx, la.Network.ID, 200)
	if err != nil {
		t.Fatal(err)
	}
	if n.Size != 4 || len(n.Members) != 4 || len(n.Sellers) != 3 || n.Truncated ||
		!slices.Equal(n.Platforms, []string{"ebay", "mastodon", "telegram"}) {
		t.Fatalf("network: %+v", n)
	}
	links := map[string][]string{}
	for _, l := range n.Links {
		links[l.Kind+":"+l.Type+":"+l.Value] = l.Listings
	}
	want := map[string][]string{
		"contact:phone:+447700900123":  sorted(a.ID, b.ID),
		"photo:phash:0123456789abcdef": sorted(b.ID, c.ID),
		"seller:ebay:kicks4u":          sorted(a.ID, a2.ID),
	}
	for key, ids := range want {
		if !slices.Equal(links[key], ids) {
			t.Errorf("link %s joins %v, want %v (all links: %v)", key, links[key], ids, links)
		}
	}
	if len(links) != len(want) {
		t.Errorf("links %v, want only %v", links, want)
	}

	// Members' scores went up as the network grew: a was scored alone, and
	// is now in a network of three sellers.
	sp, _, err := s.Suspicions(ctx, SuspicionQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range sp {
		if it.Network == nil {
			t.Errorf("suspicion %s carries no network", it.ListingID)
		}
		if it.ListingID == a.ID && (it.Score <= d.Analysis.Score || !slices.ContainsFunc(it.Reasons, func(r string) bool { return strings.Contains(r, "2 other sellers") })) {
			t.Errorf("a: score %v (lone seller %v), reasons %q", it.Score, d.Analysis.Score, it.Reasons)
		}
	}
	stored, _ := s.Listing(ctx, b.ID)
	if !slices.ContainsFunc(stored.Analysis.Signals, func(s models.Signal) bool {
		return s.Type == models.SignalImageReuse && s.Kind == models.ReuseCrossSeller && s.ImageIndex != nil && *s.ImageIndex == 0
	}) {
		t.Errorf("b's photo is shown by c too, but b has no cross_seller image_reuse: %+v", stored.Analysis.Signals)
	}

	// Linking again changes nothing.
	again := la
	if err := k.Link(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if again.Network.Size != 4 || again.Network.Sellers != 3 {
		t.Errorf("relinked: %+v", again.Network)
	}
	if _, err := s.Network(ctx, "nope", 10); err != ErrNotFound {
		t.Errorf("unknown network: err = %v", err)
	}
}

func TestNetworkIDsSurviveMerges(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	k := newLinker(s, network.DefaultConfig())
	a := finish(t, s, k, offer{platform: "ebay", seller: "a", whatsapp: "+447700900001"})
	b := finish(t, s, k, offer{platform: "ebay", seller: "b", whatsapp: "+447700900002"})
	// Seller c shares a's number in one listing and b's in another: the
	// two networks merge, and one of the two ids now names the other.
	finish(t, s, k, offer{platform: "ebay", seller: "c", whatsapp: "+447700900001"})
	finish(t, s, k, offer{platform: "ebay", seller: "c", whatsapp: "+447700900002"})
	for _, id := range []string{a.Network.ID, b.Network.ID} {
		n, err := s.Network(ctx, id, 10)
		if err != nil {
			t.Fatalf("network %s: %v", id, err)
		}
		if n.Size != 4 {
			t.Errorf("network %s (now %s): size %d, want 4", id, n.ID, n.Size)
		}
	}
}

func TestACommonValueCannotGlueEverything(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	cfg := network.DefaultConfig()
	cfg.MaxSellersPerValue = 3
	k := newLinker(s, cfg)
	// A marketplace's support number in the footer of every listing.
	var ls []models.Listing
	for i := range 6 {
		ls = append(ls, finish(t, s, k, offer{platform: "ebay", seller: fmt.Sprintf("seller%d", i), whatsapp: "+447700900999"}))
	}
	first, _ := s.Listing(ctx, ls[0].ID)
	if first.Network.Sellers != 3 {
		t.Errorf("the first network holds %d sellers, want the cap of 3", first.Network.Sellers)
	}
	for _, l := range ls[3:] {
		got, _ := s.Listing(ctx, l.ID)
		if got.Network.Size != 1 {
			t.Errorf("%s was glued by a common number: %+v", l.Seller, got.Network)
		}
	}
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}
