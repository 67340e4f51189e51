// Package network links listings into seller networks: listings that share
// a normalised contact (phone, WhatsApp, WeChat, Telegram, e-mail, from the
// listing text or its pictures), the same seller account on the same
// platform, or the same photo (by SHA-256, or by perceptual hash within a
// small measured distance) belong to one network, transitively and across
// platforms.
//
// The package is pure Go: it says which values link a listing ([Keys]) and
// what a network means for the score ([Signals], [Refresh]); ingest/redisq
// keeps the networks in Redis, incrementally, as listings are finished, and
// [Linker] ties the two together in the worker.
//
// One value cannot glue everything: a value links the listings of at most
// [Config.MaxSellersPerValue] distinct sellers. The seller that would go past
// the cap marks the value common (a marketplace's own support number, a
// stock photo), and from then on it links nothing more; links it made before
// stay (they are bounded by the cap).
package network

import (
	"errors"
	"fmt"
	"strings"

	"counterlens/ingest/score"
	"counterlens/models"
	"counterlens/vision/phash"
)

// Link kinds: what two listings share.
const (
	KindContact = "contact"
	KindSeller  = "seller"
	KindPhoto   = "photo"
)

// Photo key types.
const (
	PhotoSHA256 = "sha256"
	PhotoPHash  = "phash"
)

// Config bounds networks.
type Config struct {
	// MaxSellersPerValue is how many distinct sellers one value may link.
	MaxSellersPerValue int
	// PHashDistance is the largest Hamming distance at which two photos
	// are the same photo. 4 is measured (BenchmarkPHashDistance): it keeps
	// 88% of re-uploads (re-encoded, resized, brightened) and, of 4,095
	// pairs of different real photos, only two pairs of consecutive video
	// frames.
	PHashDistance int
	// MaxRescore is how many members of a grown network are scored again.
	MaxRescore int
	// MaxShown is how many members GET /v1/networks/{id} lists.
	MaxShown int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MaxSellersPerValue: 10, PHashDistance: 4, MaxRescore: 200, MaxShown: 200}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.MaxSellersPerValue < 2 || c.PHashDistance < 0 || c.PHashDistance > 16 || c.MaxRescore < 0 || c.MaxShown < 1 {
		return errors.New("network: max sellers per value must be at least 2, phash distance in [0,16], max shown at least 1")
	}
	return nil
}

// Key is one value that links listings.
type Key struct {
	// Kind is contact, seller or photo.
	Kind string `json:"kind"`
	// Type is the contact kind (phone, email, wechat, telegram), the
	// seller's platform, or the photo key type (sha256, phash).
	Type  string `json:"type"`
	Value string `json:"value"`
	// Image is the index of the picture a photo key is of (-1 otherwise);
	// it is not part of the key.
	Image int `json:"-"`
}

// String is the key's stored form, "kind:type:value".
func (k Key) String() string { return k.Kind + ":" + k.Type + ":" + k.Value }

// ParseKey reads the stored form of a key.
func ParseKey(s string) (Key, bool) {
	kind, rest, ok := strings.Cut(s, ":")
	typ, val, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || val == "" {
		return Key{}, false
	}
	return Key{Kind: kind, Type: typ, Value: val, Image: -1}, true
}

// linkingContacts are the contact kinds that name one person or shop. URLs
// are left out: a link to a marketplace or a shared shop platform names
// nobody.
var linkingContacts = map[string]bool{
	models.ContactPhone: true, models.ContactWhatsApp: true, models.ContactWeChat: true,
	models.ContactTelegram: true, models.ContactEmail: true,
}

// SellerID names the seller of a listing across the whole store: platform
// and account, case-insensitively. A listing without a seller name is a
// seller of its own.
func SellerID(l models.Listing) string {
	s := strings.ToLower(strings.TrimSpace(l.Seller))
	if s == "" {
		return "listing:" + l.ID
	}
	return platform(l.Platform) + ":" + s
}

func platform(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	if p == "" {
		return "unknown"
	}
	return strings.ReplaceAll(p, ":", "_")
}

// Keys returns the values of an analysed listing that link it to others:
// its seller account, the contacts found in its text and pictures, and its
// photos. Each value comes once.
func Keys(l models.Listing) []Key {
	var out []Key
	seen := map[string]bool{}
	add := func(k Key) {
		if s := k.String(); !seen[s] {
			seen[s] = true
			out = append(out, k)
		}
	}
	if s := strings.ToLower(strings.TrimSpace(l.Seller)); s != "" {
		add(Key{Kind: KindSeller, Type: platform(l.Platform), Value: s, Image: -1})
	}
	if l.Analysis == nil {
		return out
	}
	for _, s := range l.Analysis.Signals {
		if s.Type != models.SignalContact || !linkingContacts[s.Kind] || s.Value == "" {
			continue
		}
		typ, val := s.Kind, strings.ToLower(strings.TrimSpace(s.Value))
		if strings.HasPrefix(val, "+") && (typ == models.ContactWhatsApp || typ == models.ContactWeChat) {
			typ = models.ContactPhone // a WhatsApp or WeChat number is the phone number
		}
		add(Key{Kind: KindContact, Type: typ, Value: val, Image: -1})
	}
	for _, im := range l.Analysis.Images {
		if im.SHA256 != "" {
			add(Key{Kind: KindPhoto, Type: PhotoSHA256, Value: im.SHA256, Image: im.Index})
		}
		if h, err := phash.ParseHex(im.PHash); err == nil && h != 0 && h != ^uint64(0) {
			// A flat picture (all 0 or all 1 bits) is no photo of anything.
			add(Key{Kind: KindPhoto, Type: PhotoPHash, Value: phash.Hex(h), Image: im.Index})
		}
	}
	return out
}

// Facts are what the network knows about one listing.
type Facts struct {
	Network string
	// Size is the number of listings in the network; Sellers the number of
	// distinct sellers.
	Size, Sellers int
	// PhotoSellers holds, per picture index, the number of distinct sellers
	// showing that photo (the listing's own seller included), for photos
	// shown by more than one.
	PhotoSellers map[int]int
}

// Ref is the network reference of the listing.
func (f Facts) Ref() *models.NetworkRef {
	if f.Network == "" {
		return nil
	}
	return &models.NetworkRef{ID: f.Network, Size: f.Size, Sellers: f.Sellers}
}

// SellerConfidence is the confidence of the seller_network signal: 0 for a
// lone seller, growing to 1 at five linked sellers.
func SellerConfidence(sellers int) float64 {
	return min(1, float64(max(0, sellers-1))/4)
}

// reuseConfidence is the confidence of a cross-seller image_reuse signal:
// 1/3 for two sellers, 1 from four.
func reuseConfidence(sellers int) float64 {
	return min(1, float64(max(0, sellers-1))/3)
}

// Signals are the signals a network gives one of its listings: the number
// of linked sellers, and each photo that other sellers show too.
func Signals(f Facts) []models.Signal {
	var out []models.Signal
	if f.Sellers >= 2 {
		out = append(out, models.Signal{
			Type: models.SignalSellerNetwork, Confidence: round3(SellerConfidence(f.Sellers)),
			Value:  fmt.Sprintf("%d sellers", f.Sellers),
			Reason: fmt.Sprintf("the seller is linked by shared contacts, accounts or photos to %s (network %s)", others(f.Sellers-1), f.Network),
		})
	}
	for i := range maxKey(f.PhotoSellers) + 1 {
		n := f.PhotoSellers[i]
		if n < 2 {
			continue
		}
		idx := i
		out = append(out, models.Signal{
			Type: models.SignalImageReuse, Kind: models.ReuseCrossSeller, ImageIndex: &idx,
			Confidence: round3(reuseConfidence(n)), Value: fmt.Sprintf("%d sellers", n),
			Reason: fmt.Sprintf("picture %d: the same photo is shown by %s", i+1, others(n-1)),
		})
	}
	return out
}

func others(n int) string {
	if n == 1 {
		return "1 other seller"
	}
	return fmt.Sprintf("%d other sellers", n)
}

func maxKey(m map[int]int) int {
	k := -1
	for i := range m {
		k = max(k, i)
	}
	return k
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// IsNetworkSignal reports whether s comes from the network (and so changes
// as the network grows).
func IsNetworkSignal(s models.Signal) bool {
	return s.Type == models.SignalSellerNetwork || s.Type == models.SignalImageReuse && s.Kind == models.ReuseCrossSeller
}

// Refresh replaces the network signals of an analysis with those of f and
// scores it again with w. It reports whether the score or its reasons
// changed.
func Refresh(an *models.Analysis, f Facts, w score.Weights) bool {
	before, reasons := an.Score, strings.Join(an.Reasons, "\n")
	kept := make([]models.Signal, 0, len(an.Signals)+2)
	for _, s := range an.Signals {
		if !IsNetworkSignal(s) {
			kept = append(kept, s)
		}
	}
	an.Signals = append(kept, Signals(f)...)
	an.Score, an.Reasons = score.Score(w, an.Signals)
	return an.Score != before || strings.Join(an.Reasons, "\n") != reasons
}

// Request asks the store to link one analysed listing.
type Request struct {
	ListingID string
	// Seller is the listing's [SellerID].
	Seller string
	Keys   []Key
	Cfg    Config
}

// Result is what linking did.
type Result struct {
	Facts Facts
	// Grew is set when the network's other members see a change: more
	// sellers, or a photo of theirs now shown by one more seller.
	Grew bool
}

// Member is a listing of a network, as GET /v1/networks/{id} shows it.
type Member struct {
	ListingID string            `json:"listing_id"`
	Platform  string            `json:"platform"`
	Seller    string            `json:"seller"`
	URL       string            `json:"url,omitempty"`
	Title     string            `json:"title,omitempty"`
	Score     float64           `json:"score"`
	Brands    []models.BrandHit `json:"brands"`
}

// Seller is a distinct seller of a network: an account on a platform, or a
// listing without a seller name.
type Seller struct {
	Platform  string `json:"platform,omitempty"`
	Seller    string `json:"seller,omitempty"`
	ListingID string `json:"listing_id,omitempty"`
}

// ParseSeller reads a [SellerID].
func ParseSeller(id string) Seller {
	p, name, _ := strings.Cut(id, ":")
	if p == "listing" {
		return Seller{ListingID: name}
	}
	return Seller{Platform: p, Seller: name}
}

// Link is one value that members of a network share.
type Link struct {
	Kind  string `json:"kind"`
	Type  string `json:"type"`
	Value string `json:"value"`
	// Listings are the members (of those shown) that have the value.
	Listings []string `json:"listings"`
}

// Network is a seller network: its members, sellers, platforms and the
// links that join them.
type Network struct {
	ID string `json:"id"`
	// Size is the number of listings; Members lists at most
	// [Config.MaxShown] of them (Truncated then says so).
	Size      int      `json:"size"`
	Members   []Member `json:"members"`
	Sellers   []Seller `json:"sellers"`
	Platforms []string `json:"platforms"`
	Links     []Link   `json:"links"`
	Truncated bool     `json:"truncated"`
}
