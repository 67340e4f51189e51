package redisq

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"counterlens/ingest/network"
	"counterlens/models"
	"counterlens/vision/phash"
)

// Seller networks (package ingest/network says what links listings):
//
//	cl:net:of              hash  listing id -> network id
//	cl:net:m:<net>         set   listing ids of a network
//	cl:net:s:<net>         set   seller ids of a network
//	cl:net:alias           hash  id of a network merged into another -> that one
//	cl:net:anchor          hash  link key -> first listing that had it
//	cl:net:ks:<key>        set   seller ids that have a link key (at most cap+1)
//	cl:net:common          set   link keys past the seller cap: they link no more
//	cl:net:lk:<listing>    set   link keys through which a listing was linked
//	cl:net:img:<listing>   hash  picture index -> its photo link keys
//	cl:net:ph:<d>:<i>:<v>  set   phashes whose band i is v (near-duplicate index)
const (
	keyNetOf     = prefix + "net:of"
	keyNetAlias  = prefix + "net:alias"
	keyNetCommon = prefix + "net:common"
	// phashBucketCap bounds one band bucket, and so the work of a lookup.
	phashBucketCap = 4096
)

func keyNetMembers(net string) string { return prefix + "net:m:" + net }
func keyNetSellers(net string) string { return prefix + "net:s:" + net }
func keyNetKeySellers(k string) string {
	return prefix + "net:ks:" + k
}
func keyNetLinks(id string) string  { return prefix + "net:lk:" + id }
func keyNetImages(id string) string { return prefix + "net:img:" + id }

// linkScript links one listing (ARGV[2]) of seller ARGV[3] through the link
// keys ARGV[5..]: a key past ARGV[4] distinct sellers is common and links
// nothing more. Networks merge by size (the smaller one's members move), so
// each listing moves O(log n) times over the life of the store. It returns
// the network id, the fewest sellers any part merged had before (-1 when
// nothing existed before), and 1 when a photo gained a seller.
var linkScript = redis.NewScript(`
local p, id, seller, maxs = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local of = p .. 'net:of'
local function members(n) return p .. 'net:m:' .. n end
local function sellers(n) return p .. 'net:s:' .. n end
local low = -1
local function seen(n)
  if low < 0 or n < low then low = n end
end
local net = redis.call('HGET', of, id)
if net then
  seen(redis.call('SCARD', sellers(net)))
else
  net = id
  redis.call('HSET', of, id, net)
  redis.call('SADD', members(net), id)
end
redis.call('SADD', sellers(net), seller)
local grew = 0
for i = 5, #ARGV do
  local k = ARGV[i]
  if redis.call('SISMEMBER', p .. 'net:common', k) == 0 then
    local ks = p .. 'net:ks:' .. k
    local added = redis.call('SADD', ks, seller)
    local n = redis.call('SCARD', ks)
    if n > maxs then
      redis.call('SADD', p .. 'net:common', k)
    else
      if added == 1 and n >= 2 and string.sub(k, 1, 6) == 'photo:' then grew = 1 end
      redis.call('SADD', p .. 'net:lk:' .. id, k)
      local anchor = redis.call('HGET', p .. 'net:anchor', k)
      if not anchor then
        redis.call('HSET', p .. 'net:anchor', k, id)
      else
        local other = redis.call('HGET', of, anchor)
        if other and other ~= net then
          seen(redis.call('SCARD', sellers(other)))
          local a, b = net, other
          if redis.call('SCARD', members(a)) < redis.call('SCARD', members(b)) then a, b = b, a end
          for _, x in ipairs(redis.call('SMEMBERS', members(b))) do
            redis.call('HSET', of, x, a)
            redis.call('SADD', members(a), x)
          end
          redis.call('SUNIONSTORE', sellers(a), sellers(a), sellers(b))
          redis.call('DEL', members(b), sellers(b))
          redis.call('HSET', p .. 'net:alias', b, a)
          net = a
        end
      end
    end
  end
end
return {net, low, grew}`)

// LinkListing links an analysed listing into its seller network, merging
// the networks it joins, and returns what the network now knows about it.
// Linking the same listing again with the same keys changes nothing.
func (s *Store) LinkListing(ctx context.Context, req network.Request) (network.Result, error) {
	keys, err := s.canonicalPhotos(ctx, req.Keys, req.Cfg.PHashDistance)
	if err != nil {
		return network.Result{}, err
	}
	args := []any{prefix, req.ListingID, req.Seller, req.Cfg.MaxSellersPerValue}
	images := map[int][]string{}
	for _, k := range keys {
		args = append(args, k.String())
		if k.Kind == network.KindPhoto && k.Image >= 0 {
			images[k.Image] = append(images[k.Image], k.String())
		}
	}
	res, err := linkScript.Run(ctx, s.rdb, nil, args...).Slice()
	if err != nil {
		return network.Result{}, wrap(err)
	}
	if len(images) > 0 {
		fields := make([]any, 0, 2*len(images))
		for i, ks := range images {
			fields = append(fields, strconv.Itoa(i), strings.Join(ks, " "))
		}
		if err := s.rdb.HSet(ctx, keyNetImages(req.ListingID), fields...).Err(); err != nil {
			return network.Result{}, wrap(err)
		}
	}
	f, err := s.ListingFacts(ctx, req.ListingID)
	if err != nil {
		return network.Result{}, err
	}
	low, _ := res[1].(int64)
	grew, _ := res[2].(int64)
	return network.Result{Facts: f, Grew: grew == 1 || (low >= 0 && int(low) < f.Sellers)}, nil
}

// canonicalPhotos replaces the value of each phash key by the phash of the
// nearest photo seen before within dist, so that near-duplicates share one
// key; a phash with none near becomes the canonical one of its kind. The
// lookup is a multi-index: with dist+1 bands of the 64 bits, two hashes
// within dist agree exactly on at least one band.
func (s *Store) canonicalPhotos(ctx context.Context, keys []network.Key, dist int) ([]network.Key, error) {
	out := slices.Clone(keys)
	for i, k := range out {
		if k.Kind != network.KindPhoto || k.Type != network.PhotoPHash {
			continue
		}
		h, err := phash.ParseHex(k.Value)
		if err != nil {
			continue
		}
		buckets := phashBuckets(h, dist)
		cmds := make([]*redis.StringSliceCmd, len(buckets))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for j, b := range buckets {
				cmds[j] = p.SMembers(ctx, b)
			}
			return nil
		}); err != nil {
			return nil, wrap(err)
		}
		best, bestD := "", math.MaxInt
		for _, c := range cmds {
			for _, v := range c.Val() {
				o, err := phash.ParseHex(v)
				if err != nil {
					continue
				}
				if d := phash.Distance(h, o); d <= dist && (d < bestD || d == bestD && v < best) {
					best, bestD = v, d
				}
			}
		}
		if best != "" {
			out[i].Value = best
			continue
		}
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for j, b := range buckets {
				if len(cmds[j].Val()) < phashBucketCap {
					p.SAdd(ctx, b, k.Value)
				}
			}
			return nil
		}); err != nil {
			return nil, wrap(err)
		}
	}
	return out, nil
}

// phashBuckets are the band buckets of h for distance dist.
func phashBuckets(h uint64, dist int) []string {
	n := dist + 1
	out := make([]string, n)
	d := strconv.Itoa(dist)
	for i := range n {
		lo, hi := i*64/n, (i+1)*64/n
		v := (h >> lo) & (1<<(hi-lo) - 1)
		out[i] = prefix + "net:ph:" + d + ":" + strconv.Itoa(i) + ":" + strconv.FormatUint(v, 16)
	}
	return out
}

// ListingFacts returns what the network knows about a listing; the zero
// Facts when it was never linked.
func (s *Store) ListingFacts(ctx context.Context, id string) (network.Facts, error) {
	net, err := s.rdb.HGet(ctx, keyNetOf, id).Result()
	if errors.Is(err, redis.Nil) {
		return network.Facts{}, nil
	}
	if err != nil {
		return network.Facts{}, wrap(err)
	}
	var size, sellers *redis.IntCmd
	var imgs *redis.MapStringStringCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		size, sellers = p.SCard(ctx, keyNetMembers(net)), p.SCard(ctx, keyNetSellers(net))
		imgs = p.HGetAll(ctx, keyNetImages(id))
		return nil
	}); err != nil {
		return network.Facts{}, wrap(err)
	}
	f := network.Facts{Network: net, Size: int(size.Val()), Sellers: int(sellers.Val()), PhotoSellers: map[int]int{}}
	type photo struct {
		index int
		n     *redis.IntCmd
	}
	var photos []photo
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for idx, ks := range imgs.Val() {
			i, err := strconv.Atoi(idx)
			if err != nil {
				continue
			}
			for _, k := range strings.Fields(ks) {
				photos = append(photos, photo{i, p.SCard(ctx, keyNetKeySellers(k))})
			}
		}
		return nil
	}); err != nil {
		return network.Facts{}, wrap(err)
	}
	for _, ph := range photos {
		if n := int(ph.n.Val()); n >= 2 {
			f.PhotoSellers[ph.index] = max(f.PhotoSellers[ph.index], n)
		}
	}
	return f, nil
}

// resolveNetwork follows the ids of merged networks to the one that holds
// them now.
func (s *Store) resolveNetwork(ctx context.Context, id string) (string, error) {
	for range 64 {
		next, err := s.rdb.HGet(ctx, keyNetAlias, id).Result()
		if errors.Is(err, redis.Nil) {
			return id, nil
		}
		if err != nil {
			return "", wrap(err)
		}
		id = next
	}
	return id, nil
}

// NetworkMembers returns up to limit listing ids of a network.
func (s *Store) NetworkMembers(ctx context.Context, id string, limit int) ([]string, error) {
	id, err := s.resolveNetwork(ctx, id)
	if err != nil {
		return nil, err
	}
	ids, err := s.rdb.SRandMemberN(ctx, keyNetMembers(id), int64(limit)).Result()
	slices.Sort(ids)
	return ids, wrap(err)
}

// Network returns a seller network by id (or by the id of a network merged
// into it since): at most maxShown members, oldest first, its sellers,
// platforms and the links between the members shown.
func (s *Store) Network(ctx context.Context, id string, maxShown int) (network.Network, error) {
	id, err := s.resolveNetwork(ctx, id)
	if err != nil {
		return network.Network{}, err
	}
	var members, sellers *redis.StringSliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		members, sellers = p.SMembers(ctx, keyNetMembers(id)), p.SMembers(ctx, keyNetSellers(id))
		return nil
	}); err != nil {
		return network.Network{}, wrap(err)
	}
	ids := members.Val()
	if len(ids) == 0 {
		return network.Network{}, ErrNotFound
	}
	slices.Sort(ids)
	n := network.Network{ID: id, Size: len(ids), Members: []network.Member{}, Sellers: []network.Seller{},
		Platforms: []string{}, Links: []network.Link{}}
	if len(ids) > maxShown {
		ids, n.Truncated = ids[:maxShown], true
	}
	sids := sellers.Val()
	slices.Sort(sids)
	for _, sid := range sids {
		n.Sellers = append(n.Sellers, network.ParseSeller(sid))
	}
	keys := make([]string, len(ids))
	for i, m := range ids {
		keys[i] = keyListing(m)
	}
	var docs *redis.SliceCmd
	links := make([]*redis.StringSliceCmd, len(ids))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		docs = p.MGet(ctx, keys...)
		for i, m := range ids {
			links[i] = p.SMembers(ctx, keyNetLinks(m))
		}
		return nil
	}); err != nil {
		return network.Network{}, wrap(err)
	}
	platforms := map[string]bool{}
	for i, v := range docs.Val() {
		m := network.Member{ListingID: ids[i], Brands: []models.BrandHit{}}
		if str, ok := v.(string); ok {
			var l models.Listing
			if err := json.Unmarshal([]byte(str), &l); err == nil {
				sp := SuspicionOf(l)
				m.Platform, m.Seller, m.URL, m.Title, m.Score, m.Brands = l.Platform, l.Seller, l.URL, l.Title, sp.Score, sp.Brands
			}
		}
		if m.Platform != "" {
			platforms[m.Platform] = true
		}
		n.Members = append(n.Members, m)
	}
	n.Platforms = sortedSet(platforms)
	byKey := map[string][]string{}
	for i, c := range links {
		for _, k := range c.Val() {
			byKey[k] = append(byKey[k], ids[i])
		}
	}
	for _, k := range sortedSet(byKey) {
		lk, ok := network.ParseKey(k)
		if !ok || len(byKey[k]) < 2 {
			continue
		}
		n.Links = append(n.Links, network.Link{Kind: lk.Kind, Type: lk.Type, Value: lk.Value, Listings: byKey[k]})
	}
	return n, nil
}

func sortedSet[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// networkRefs returns the network reference of each listing id that was
// linked.
func (s *Store) networkRefs(ctx context.Context, ids []string) (map[string]*models.NetworkRef, error) {
	out := map[string]*models.NetworkRef{}
	if len(ids) == 0 {
		return out, nil
	}
	nets, err := s.rdb.HMGet(ctx, keyNetOf, ids...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	type counts struct{ size, sellers *redis.IntCmd }
	byNet := map[string]counts{}
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, v := range nets {
			if net, ok := v.(string); ok {
				if _, done := byNet[net]; !done {
					byNet[net] = counts{p.SCard(ctx, keyNetMembers(net)), p.SCard(ctx, keyNetSellers(net))}
				}
			}
		}
		return nil
	}); err != nil {
		return nil, wrap(err)
	}
	for i, v := range nets {
		if net, ok := v.(string); ok {
			c := byNet[net]
			out[ids[i]] = &models.NetworkRef{ID: net, Size: int(c.size.Val()), Sellers: int(c.sellers.Val())}
		}
	}
	return out, nil
}

// withNetworks sets the network of each suspicion.
func (s *Store) withNetworks(ctx context.Context, items []models.Suspicion) error {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ListingID
	}
	refs, err := s.networkRefs(ctx, ids)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].Network = refs[items[i].ListingID]
	}
	return nil
}

// withNetwork sets the network of a listing.
func (s *Store) withNetwork(ctx context.Context, l *models.Listing) error {
	refs, err := s.networkRefs(ctx, []string{l.ID})
	if err != nil {
		return err
	}
	l.Network = refs[l.ID]
	return nil
}

// UpdateAnalysis changes the stored analysis of a listing with fn (a
// rescore, or marks found later in its stored pictures) and ranks it anew,
// unless the listing changed meanwhile (then fn runs again on the new
// version). fn returns false to leave the listing as it is.
func (s *Store) UpdateAnalysis(ctx context.Context, id string, fn func(*models.Listing) bool) error {
	key := keyListing(id)
	for range 5 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			l, err := getJSON[models.Listing](ctx, tx, key)
			if err != nil {
				return err
			}
			if l.Analysis == nil {
				return nil
			}
			before := SuspicionOf(l)
			if !fn(&l) {
				return nil
			}
			sp := SuspicionOf(l)
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, mustJSON(l), 0)
				// XX: a listing taken out of a ranking stays out of it.
				z := redis.ZAddArgs{XX: true, Members: []redis.Z{{Score: sp.Score, Member: id}}}
				p.ZAddArgs(ctx, keySusp, z)
				p.ZAddArgs(ctx, keySuspPlatform(l.Platform), z)
				for _, b := range before.Brands {
					if !hasAnyBrand(sp, []string{b.BrandID}) {
						p.ZRem(ctx, keySuspBrand(b.BrandID), id)
					}
				}
				for _, b := range sp.Brands {
					if hasAnyBrand(before, []string{b.BrandID}) {
						p.ZAddArgs(ctx, keySuspBrand(b.BrandID), z)
					} else {
						p.ZAdd(ctx, keySuspBrand(b.BrandID), z.Members[0])
					}
				}
				p.HSet(ctx, keySuspItem, id, mustJSON(sp))
				return nil
			})
			if errors.Is(err, redis.TxFailedErr) {
				return err
			}
			return wrap(err)
		}, key)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return wrap(redis.TxFailedErr)
}

var _ network.Store = (*Store)(nil)
