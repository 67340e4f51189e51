package redisq

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// keyLogoDesc holds each reference logo's matcher descriptor (see
// vision/logo's Detector.Descriptor): logo id -> opaque bytes that carry
// their own version. AddLogo and DeleteLogo drop a logo's descriptor; the
// first analyser to load the logo computes it and stores it for the others.
const keyLogoDesc = prefix + "logodesc"

// putIfLogo stores a descriptor only while its logo exists, so a worker
// finishing a slow computation cannot resurrect a deleted logo's entry.
var putIfLogo = redis.NewScript(`
if redis.call("HEXISTS", KEYS[1], ARGV[1]) == 1 then
  redis.call("HSET", KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return 0`)

// LogoDescriptors returns the stored descriptors of the named logos; ids
// without one are absent from the map.
func (s *Store) LogoDescriptors(ctx context.Context, ids []string) (map[string][]byte, error) {
	return s.hmgetBytes(ctx, keyLogoDesc, ids)
}

// PutLogoDescriptor stores the descriptor of logo id, unless the logo was
// deleted meanwhile (then it does nothing).
func (s *Store) PutLogoDescriptor(ctx context.Context, id string, desc []byte) error {
	return wrap(putIfLogo.Run(ctx, s.rdb, []string{keyLogos, keyLogoDesc}, id, desc).Err())
}
