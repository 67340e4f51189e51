package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Signer signs evidence manifests with an Ed25519 key.
type Signer struct {
	key ed25519.PrivateKey
}

// NewSigner returns a signer for key.
func NewSigner(key ed25519.PrivateKey) *Signer { return &Signer{key: key} }

// LoadSigner reads the key in path: a PEM "PRIVATE KEY" block (PKCS #8) or
// a raw 32-byte Ed25519 seed.
func LoadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	key, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("evidence key %s: %w", path, err)
	}
	return NewSigner(key), nil
}

// LoadOrCreateSigner loads the key in path, or, when there is none, makes
// a new one and writes it there (PEM, PKCS #8, mode 0600) for the next
// start. Two processes starting at once end up with the same key.
func LoadOrCreateSigner(path string) (*Signer, error) {
	if _, err := os.Stat(path); err == nil {
		return LoadSigner(path)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadSigner(path)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	return NewSigner(key), nil
}

// ParsePrivateKey reads a PEM PKCS #8 Ed25519 key or a raw 32-byte seed.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, err
		}
		ek, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("key is a %T, not Ed25519", k)
		}
		return ek, nil
	}
	if len(b) == ed25519.SeedSize {
		return ed25519.NewKeyFromSeed(b), nil
	}
	return nil, errors.New("neither a PEM PKCS #8 key nor a 32-byte Ed25519 seed")
}

// ParsePublicKey reads a PEM "PUBLIC KEY" block (PKIX) or 64 hex digits.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, err
		}
		ek, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("key is a %T, not Ed25519", k)
		}
		return ek, nil
	}
	raw, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("neither a PEM public key nor 64 hex digits of an Ed25519 key")
	}
	return ed25519.PublicKey(raw), nil
}

// Sign returns the Ed25519 signature of msg.
func (s *Signer) Sign(msg []byte) []byte { return ed25519.Sign(s.key, msg) }

// PublicKey returns the key that checks the signatures.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// PublicKeyPEM encodes pub as a PEM "PUBLIC KEY" block (PKIX), the form
// openssl reads.
func PublicKeyPEM(pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// An Ed25519 public key always encodes.
		panic(fmt.Sprintf("evidence: encode public key: %v", err))
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
