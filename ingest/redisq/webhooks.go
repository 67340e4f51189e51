package redisq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

// Alert keys:
//
//	cl:webhooks              hash    webhook id -> Webhook JSON
//	cl:whsecret              hash    webhook id -> signing secret
//	cl:analysed              stream  one entry per analysed listing ("listing" =
//	                                 id), consumer group "alerts"
//	cl:whsent:<webhook id>   hash    listing id -> delivery id (once per listing)
//	cl:whdel                 hash    delivery id -> WebhookDelivery JSON
//	cl:whbody                hash    delivery id -> payload, until settled
//	cl:whlog:<webhook id>    list    delivery ids, newest first (capped)
//	cl:whdue                 zset    delivery id by due time (unix ms)
const (
	keyWebhooks    = prefix + "webhooks"
	keyWhSecret    = prefix + "whsecret"
	keyAnalysed    = prefix + "analysed"
	keyWhDel       = prefix + "whdel"
	keyWhBody      = prefix + "whbody"
	keyWhDue       = prefix + "whdue"
	alertGroup     = "alerts"
	analysedCap    = 100_000
	deliveryLogCap = 1000
)

func keyWhSent(hookID string) string { return prefix + "whsent:" + hookID }
func keyWhLog(hookID string) string  { return prefix + "whlog:" + hookID }

// announceAnalysed adds an analysed listing to the alert stream, inside the
// transaction that stores its result, so no alert is lost to a crash.
func announceAnalysed(ctx context.Context, p redis.Pipeliner, l models.Listing) {
	if l.Analysis == nil {
		return
	}
	p.XAdd(ctx, &redis.XAddArgs{Stream: keyAnalysed, MaxLen: analysedCap, Approx: true, Values: map[string]any{"listing": l.ID}})
}

// CreateWebhook stores a webhook and its signing secret.
func (s *Store) CreateWebhook(ctx context.Context, h models.Webhook, secret string) (models.Webhook, error) {
	h.ID = NewID()
	h.CreatedAt = time.Now().UTC()
	if h.BrandIDs == nil {
		h.BrandIDs = []string{}
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, keyWebhooks, h.ID, mustJSON(h))
		p.HSet(ctx, keyWhSecret, h.ID, secret)
		return nil
	})
	return h, wrap(err)
}

// Webhook returns one webhook.
func (s *Store) Webhook(ctx context.Context, id string) (models.Webhook, error) {
	return hgetJSON[models.Webhook](ctx, s.rdb, keyWebhooks, id)
}

// Webhooks returns every webhook, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]models.Webhook, error) {
	hs, err := hgetAllJSON[models.Webhook](ctx, s.rdb, keyWebhooks)
	slices.SortFunc(hs, func(a, b models.Webhook) int { return strings.Compare(a.ID, b.ID) })
	return hs, err
}

// DeleteWebhook deletes a webhook, its secret and its delivery log; its
// pending deliveries are dropped when they come due.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	n, err := s.rdb.HDel(ctx, keyWebhooks, id).Result()
	if err != nil {
		return wrap(err)
	}
	if n == 0 {
		return ErrNotFound
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, keyWhSecret, id)
		p.Del(ctx, keyWhSent(id), keyWhLog(id))
		return nil
	})
	return wrap(err)
}

// KeyExists reports whether an API key id is still valid (not revoked).
func (s *Store) KeyExists(ctx context.Context, id string) (bool, error) {
	ok, err := s.rdb.HExists(ctx, keyAPIKeyIDs, id).Result()
	return ok, wrap(err)
}

// Analysed is an entry of the alert stream.
type Analysed struct {
	MsgID     string
	ListingID string
}

// ensureAlertGroup creates the alert stream's consumer group once.
func (s *Store) ensureAlertGroup(ctx context.Context) error {
	err := s.rdb.XGroupCreateMkStream(ctx, keyAnalysed, alertGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return wrap(err)
	}
	return nil
}

// ClaimAnalysed returns analysed listings to check against the webhooks:
// first those another consumer took more than idle ago and never settled
// (it died), then new ones, waiting up to block for them.
func (s *Store) ClaimAnalysed(ctx context.Context, consumer string, idle, block time.Duration, n int) ([]Analysed, error) {
	if err := s.ensureAlertGroup(ctx); err != nil {
		return nil, err
	}
	msgs, _, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: keyAnalysed, Group: alertGroup,
		Consumer: consumer, MinIdle: idle, Start: "0", Count: int64(n)}).Result()
	if err != nil {
		return nil, wrap(err)
	}
	if len(msgs) == 0 {
		res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: alertGroup, Consumer: consumer,
			Streams: []string{keyAnalysed, ">"}, Count: int64(n), Block: block}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, wrap(err)
		}
		for _, st := range res {
			msgs = append(msgs, st.Messages...)
		}
	}
	out := make([]Analysed, 0, len(msgs))
	for _, m := range msgs {
		id, _ := m.Values["listing"].(string)
		out = append(out, Analysed{MsgID: m.ID, ListingID: id})
	}
	return out, nil
}

// Outgoing is a delivery to queue with its payload.
type Outgoing struct {
	Delivery models.WebhookDelivery
	Body     []byte
}

// queueScript queues each delivery unless its webhook already has one for
// the listing, then acknowledges the stream entry, all at once.
// KEYS: stream, whdel, whbody, whdue, then per delivery whsent:<hook> and
// whlog:<hook>. ARGV: group, msg id, log cap, then per delivery: id, listing
// id, delivery JSON, body, due ms.
var queueScript = redis.NewScript(`
local n = (#KEYS - 4) / 2
for i = 1, n do
  local a = 3 + (i - 1) * 5
  if redis.call('HSETNX', KEYS[4 + 2*i - 1], ARGV[a + 2], ARGV[a + 1]) == 1 then
    redis.call('HSET', KEYS[2], ARGV[a + 1], ARGV[a + 3])
    redis.call('HSET', KEYS[3], ARGV[a + 1], ARGV[a + 4])
    redis.call('ZADD', KEYS[4], ARGV[a + 5], ARGV[a + 1])
    redis.call('LPUSH', KEYS[4 + 2*i], ARGV[a + 1])
    redis.call('LTRIM', KEYS[4 + 2*i], 0, tonumber(ARGV[3]) - 1)
  end
end
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  redis.call('XDEL', KEYS[1], ARGV[2])
end
return 0
`)

// QueueDeliveries queues the deliveries an analysed listing triggers (each
// webhook at most once per listing) and settles its stream entry msgID.
func (s *Store) QueueDeliveries(ctx context.Context, msgID string, out []Outgoing) error {
	keys := []string{keyAnalysed, keyWhDel, keyWhBody, keyWhDue}
	args := []any{alertGroup, msgID, deliveryLogCap}
	for _, o := range out {
		d := o.Delivery
		keys = append(keys, keyWhSent(d.WebhookID), keyWhLog(d.WebhookID))
		args = append(args, d.ID, d.ListingID, mustJSON(d), o.Body, d.NextAttemptAt.UnixMilli())
	}
	return wrap(queueScript.Run(ctx, s.rdb, keys, args...).Err())
}

// claimScript leases the deliveries due at ARGV[1] until ARGV[2] (unix ms).
var claimScript = redis.NewScript(`
local ids = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
`)

// Due is a delivery to attempt now, with its payload and the webhook's
// target and secret. Hook is nil when the webhook was deleted.
type Due struct {
	Delivery models.WebhookDelivery
	Body     []byte
	Hook     *models.Webhook
	Secret   string
}

// ClaimDue leases up to n deliveries that are due at now for lease: a
// dispatcher that dies with them lets them come due again after it.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, n int) ([]Due, error) {
	ids, err := claimScript.Run(ctx, s.rdb, []string{keyWhDue}, now.UnixMilli(), now.Add(lease).UnixMilli(), n).StringSlice()
	if err != nil || len(ids) == 0 {
		return nil, wrap(err)
	}
	out := make([]Due, 0, len(ids))
	for _, id := range ids {
		d, err := hgetJSON[models.WebhookDelivery](ctx, s.rdb, keyWhDel, id)
		if errors.Is(err, ErrNotFound) {
			s.rdb.ZRem(ctx, keyWhDue, id)
			continue
		}
		if err != nil {
			return out, err
		}
		body, err := s.rdb.HGet(ctx, keyWhBody, id).Bytes()
		if err != nil && !errors.Is(err, redis.Nil) {
			return out, wrap(err)
		}
		due := Due{Delivery: d, Body: body}
		h, err := s.Webhook(ctx, d.WebhookID)
		switch {
		case err == nil:
			due.Hook = &h
			if due.Secret, err = s.rdb.HGet(ctx, keyWhSecret, h.ID).Result(); err != nil {
				return out, wrap(err)
			}
		case !errors.Is(err, ErrNotFound):
			return out, err
		}
		out = append(out, due)
	}
	return out, nil
}

// SettleDelivery records an attempt: a pending delivery comes due again at
// d.NextAttemptAt; a delivered or failed one leaves the schedule and its
// payload is dropped.
func (s *Store) SettleDelivery(ctx context.Context, d models.WebhookDelivery) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, keyWhDel, d.ID, mustJSON(d))
		if d.Status == models.DeliveryPending {
			p.ZAdd(ctx, keyWhDue, redis.Z{Score: float64(d.NextAttemptAt.UnixMilli()), Member: d.ID})
			return nil
		}
		p.ZRem(ctx, keyWhDue, d.ID)
		p.HDel(ctx, keyWhBody, d.ID)
		return nil
	})
	return wrap(err)
}

// Deliveries returns a webhook's delivery log, newest first, at most limit.
func (s *Store) Deliveries(ctx context.Context, hookID string, limit int) ([]models.WebhookDelivery, error) {
	ids, err := s.rdb.LRange(ctx, keyWhLog(hookID), 0, int64(limit)-1).Result()
	if err != nil || len(ids) == 0 {
		return []models.WebhookDelivery{}, wrap(err)
	}
	vals, err := s.rdb.HMGet(ctx, keyWhDel, ids...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]models.WebhookDelivery, 0, len(vals))
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		d, err := decodeJSON[models.WebhookDelivery](str)
		if err != nil {
			return nil, fmt.Errorf("decode delivery %s: %w", ids[i], err)
		}
		out = append(out, d)
	}
	return out, nil
}

func decodeJSON[T any](s string) (T, error) {
	var v T
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}
