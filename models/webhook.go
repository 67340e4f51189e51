package models

import "time"

// Webhook asks for a signed POST whenever a new suspicion reaches it: one
// of its brand (BrandID set), or any the owning key may see (BrandID empty).
type Webhook struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// BrandID narrows the hook to one brand; empty means every suspicion
	// the owning key may see.
	BrandID string `json:"brand_id,omitempty"`
	// MinScore is the lowest score that triggers it.
	MinScore float64 `json:"min_score"`
	// KeyID, Role and BrandIDs are the owning key and its scope when the
	// hook was made.
	KeyID     string    `json:"key_id"`
	Role      Role      `json:"role"`
	BrandIDs  []string  `json:"brand_ids"`
	CreatedAt time.Time `json:"created_at"`
}

// Webhook delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one alert to one webhook and the log of its attempts.
type WebhookDelivery struct {
	ID        string  `json:"id"`
	WebhookID string  `json:"webhook_id"`
	ListingID string  `json:"listing_id"`
	Score     float64 `json:"score"`
	// Status is pending (waiting for its next attempt), delivered or failed
	// (no attempt left).
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	// HTTPStatus is the receiver's answer to the last attempt, 0 when none
	// came.
	HTTPStatus int    `json:"http_status"`
	LastError  string `json:"last_error,omitempty"`
	// DurationMS is how long the last attempt took.
	DurationMS    int64     `json:"duration_ms"`
	CreatedAt     time.Time `json:"created_at"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	DeliveredAt   time.Time `json:"delivered_at,omitzero"`
}
