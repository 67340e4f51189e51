// Package models holds counterlens's domain types. It is standard library only
// and does no I/O: every other package speaks in these types.
package models

import "time"

// Money is an amount in a currency (ISO 4217 code, upper case).
type Money struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

// Brand is a registered brand and its rights holder's policy.
type Brand struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
	// MinPrice is the lowest plausible price of a genuine product; an offer
	// below it (in the same currency) is a signal.
	MinPrice *Money `json:"min_price,omitempty"`
	// MinPrices are further floors, per currency and optionally per product
	// type; the most specific one that applies to a listing wins.
	MinPrices []PriceFloor `json:"min_prices,omitempty"`
	// Thresholds are the rights holder's own cut-offs for this brand.
	Thresholds *Thresholds `json:"thresholds,omitempty"`
	// AuthorizedSellers are seller names whose listings are not suspicious.
	AuthorizedSellers []string `json:"authorized_sellers"`
	// OfficialDomains are the brand's own web domains.
	OfficialDomains []string  `json:"official_domains"`
	CreatedAt       time.Time `json:"created_at"`
}

// PriceFloor is the lowest plausible price of a genuine product in one
// currency; ProductType (e.g. "sneakers", "bag"), when set, narrows it to
// listings of that kind of product.
type PriceFloor struct {
	Amount      float64 `json:"amount"`
	Currency    string  `json:"currency"`
	ProductType string  `json:"product_type,omitempty"`
}

// Thresholds are per-brand cut-offs a rights holder may set. Zero means the
// service default.
type Thresholds struct {
	// MinScore hides this brand's suspicions scoring below it from the
	// brand's rights holder and from its alerts.
	MinScore float64 `json:"min_score,omitempty"`
	// LogoConfidence drops logo detections of this brand below it.
	LogoConfidence float64 `json:"logo_confidence,omitempty"`
}

// Logo is a reference image of a registered brand mark.
type Logo struct {
	ID      string `json:"id"`
	BrandID string `json:"brand_id"`
	// SHA256 is the hex digest of the uploaded bytes.
	SHA256 string `json:"sha256"`
	// PHash is the perceptual hash of the normalised mark, 16 hex digits.
	PHash       string    `json:"phash"`
	ContentType string    `json:"content_type"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	CreatedAt   time.Time `json:"created_at"`
}

// Photo is an official product photo of a brand: its reuse by a seller who
// is neither authorised nor on an official domain is a signal. It has the
// fields of a [Logo]; PHash is the whole picture's, and only the hashes are
// kept, not the bytes.
type Photo Logo

// ReuseOfficialPhoto is the Kind of an image_reuse signal for a listing
// picture copying one of a brand's official photos.
const ReuseOfficialPhoto = "official_photo"

// BBox is a box in pixels of the original image, top-left origin.
type BBox struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// SignalType names a kind of finding.
type SignalType string

// The signal types of API.md. More may be added.
const (
	SignalLogo             SignalType = "logo"
	SignalImageTextBrand   SignalType = "image_text_brand"
	SignalListingTextBrand SignalType = "listing_text_brand"
	SignalRiskTerm         SignalType = "risk_term"
	SignalContact          SignalType = "contact"
	SignalPriceBelowFloor  SignalType = "price_below_floor"
	SignalPictureOnly      SignalType = "picture_only"
	SignalImageReuse       SignalType = "image_reuse"
	SignalAuthorizedSeller SignalType = "authorized_seller"

	// SignalSellerNetwork: the listing's seller is linked (shared contact,
	// photo or account) to other sellers; Value says how many.
	SignalSellerNetwork SignalType = "seller_network"

	// SignalDisguisedBrand: the text spells a registered brand so that a
	// text search for its name misses it (leetspeak, look-alike letters,
	// letters spelt out one by one); Source says whose text, Value how.
	SignalDisguisedBrand SignalType = "disguised_brand"
)

// ReuseCrossSeller is the Kind of an image_reuse signal for a photo that
// several distinct sellers show.
const ReuseCrossSeller = "cross_seller"

// Sources of text findings.
const (
	SourceImageText   = "image_text"
	SourceListingText = "listing_text"
)

// Contact kinds.
const (
	ContactPhone    = "phone"
	ContactWhatsApp = "whatsapp"
	ContactWeChat   = "wechat"
	ContactTelegram = "telegram"
	ContactEmail    = "email"
	ContactURL      = "url"
)

// Signal is one finding about a listing. It is reported only when it is a
// finding: a logo signal means the mark is in the picture.
type Signal struct {
	Type       SignalType `json:"type"`
	BrandID    string     `json:"brand_id,omitempty"`
	LogoID     string     `json:"logo_id,omitempty"`
	Confidence float64    `json:"confidence"`
	// ImageIndex is the index of the image the signal was found in; nil for
	// listing-level signals.
	ImageIndex *int   `json:"image_index,omitempty"`
	BBox       *BBox  `json:"bbox,omitempty"`
	Method     string `json:"method,omitempty"`
	Value      string `json:"value,omitempty"`
	Source     string `json:"source,omitempty"`
	Kind       string `json:"kind,omitempty"`
	// Reason says in plain words what was found, for the officer.
	Reason string `json:"reason,omitempty"`
	// Weight is the signal's contribution to the score, set by the scorer.
	Weight float64 `json:"weight,omitempty"`
}

// Word is one word recognised in an image.
type Word struct {
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"`
	BBox       BBox    `json:"bbox"`
}

// ImageReport is what vision found in one image.
type ImageReport struct {
	Index  int    `json:"index"`
	SHA256 string `json:"sha256"`
	PHash  string `json:"phash"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Format string `json:"format,omitempty"`
	// Text is the full text recognised in the image.
	Text  string `json:"text"`
	Words []Word `json:"words,omitempty"`
	// Signals are the findings in this image (logos and image text); the
	// listing analysis lifts them into [Analysis.Signals].
	Signals []Signal `json:"signals,omitempty"`
}

// BrandHit is a brand found in a listing, with the strongest confidence.
type BrandHit struct {
	BrandID    string  `json:"brand_id"`
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
}

// Analysis is the verdict on one listing.
type Analysis struct {
	// Score is in [0, 1]; higher is a stronger suspicion of a counterfeit.
	Score float64 `json:"score"`
	// Reasons explain the score, strongest first.
	Reasons    []string      `json:"reasons"`
	Brands     []BrandHit    `json:"brands"`
	Signals    []Signal      `json:"signals"`
	Images     []ImageReport `json:"images"`
	AnalyzedAt time.Time     `json:"analyzed_at"`
}

// Listing is an offer on a platform.
type Listing struct {
	ID         string   `json:"id"`
	Platform   string   `json:"platform"`
	ExternalID string   `json:"external_id"`
	URL        string   `json:"url"`
	Title      string   `json:"title"`
	Desc       string   `json:"description"`
	Price      float64  `json:"price"`
	Currency   string   `json:"currency"`
	Seller     string   `json:"seller"`
	ImageURLs  []string `json:"image_urls"`
	SourceID   string   `json:"source_id,omitempty"`
	// Status is queued, analyzed or failed.
	Status    string     `json:"status"`
	Error     string     `json:"error,omitempty"`
	Analysis  *Analysis  `json:"analysis"`
	Evidence  []Evidence `json:"evidence"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// Review is the last decision an officer took on it; nil until then.
	Review *Review `json:"review,omitempty"`

	// Network is the seller network the listing belongs to, once analysed.
	Network *NetworkRef `json:"network,omitempty"`

	// Version is 1 for the content first seen and one more each time a
	// crawl finds the listing changed; earlier versions stay readable.
	Version int `json:"version,omitempty"`
	// RemovedAt is when the listing was found gone from its platform; it
	// keeps its evidence and analysis.
	RemovedAt time.Time `json:"removed_at,omitzero"`
}

// Listing statuses.
const (
	StatusQueued   = "queued"
	StatusAnalyzed = "analyzed"
	StatusFailed   = "failed"
)

// Evidence is the record of one captured response.
type Evidence struct {
	SHA256      string    `json:"sha256"`
	URL         string    `json:"url"`
	CapturedAt  time.Time `json:"captured_at"`
	HTTPStatus  int       `json:"http_status"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	// Error is set when the capture failed; then SHA256 is empty.
	Error string `json:"error,omitempty"`
}

// Suspicion is a ranked entry of the suspicion list.
type Suspicion struct {
	ListingID  string     `json:"listing_id"`
	Score      float64    `json:"score"`
	Brands     []BrandHit `json:"brands"`
	Platform   string     `json:"platform"`
	URL        string     `json:"url"`
	Title      string     `json:"title"`
	Seller     string     `json:"seller"`
	Reasons    []string   `json:"reasons"`
	AnalyzedAt time.Time  `json:"analyzed_at"`
	// Status is open, confirmed or dismissed (see [Review.Status]).
	Status string `json:"status"`

	// Network is the seller network of the listing.
	Network *NetworkRef `json:"network,omitempty"`
}

// NetworkRef names a seller network: listings linked, transitively, by a
// shared contact, seller account or photo.
type NetworkRef struct {
	ID string `json:"id"`
	// Size is the number of listings in the network.
	Size int `json:"size"`
	// Sellers is the number of distinct sellers in it.
	Sellers int `json:"sellers"`
}

// Job asks a worker to fetch and analyse a listing.
type Job struct {
	ID        string    `json:"id"`
	ListingID string    `json:"listing_id"`
	Attempt   int       `json:"attempt"`
	CreatedAt time.Time `json:"created_at"`
}

// Role of an API key.
type Role string

// Roles.
const (
	RoleAdmin        Role = "admin"
	RoleRightsHolder Role = "rights_holder"
	RoleMonitor      Role = "monitor"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleRightsHolder || r == RoleMonitor
}

// APIKey is an API key; the secret itself is never stored, only its hash.
type APIKey struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	BrandIDs  []string  `json:"brand_ids"`
	CreatedAt time.Time `json:"created_at"`
	// RateLimit is this key's own call rate; nil means the service default.
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
}

// RateLimit is a sustained call rate with a burst: a key may make Burst calls
// at once, and regains one every 1/PerSecond seconds.
type RateLimit struct {
	PerSecond float64 `json:"per_second"`
	Burst     int     `json:"burst"`
}

// AuditEntry is one recorded change: who made which successful non-GET
// call, on what, when.
type AuditEntry struct {
	// ID is the entry's place in the log; entries sort by it.
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	RequestID string    `json:"request_id"`
	KeyID     string    `json:"key_id"`
	KeyName   string    `json:"key_name"`
	Role      Role      `json:"role"`
	// Action is create, update, replace or delete, or the verb of the route
	// (run, analyze, ...).
	Action string `json:"action"`
	Method string `json:"method"`
	// Route is the route template, e.g. /v1/brands/{id}/logos/{logo}.
	Route      string `json:"route"`
	Status     int    `json:"status"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id,omitempty"`
	// Refs are the ids the call named, by object type (the brand of a logo,
	// the logo itself), and the id of what it created.
	Refs map[string]string `json:"refs,omitempty"`
	// Details are what the handler found worth keeping (a secret never is).
	Details map[string]string `json:"details,omitempty"`
}

// Source is a platform to crawl.
type Source struct {
	ID string `json:"id"`
	// Name identifies a source declared in the sources file
	// (COUNTERLENS_SOURCES_FILE); sources made through the API may have none.
	Name     string `json:"name,omitempty"`
	Type     string `json:"type"`
	URL      string `json:"url"`
	Query    string `json:"query"`
	Interval string `json:"interval"`
	// State is the connector's incremental crawl state (cursor, since id).
	State     string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	LastRunAt time.Time `json:"last_run_at,omitzero"`
}
