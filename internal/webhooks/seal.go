package webhooks

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"github.com/gmailsend/gmailsend"
)

// sealInfo separates the key derived here from every other use of the
// fingerprint key: a v2 would change it and derive a new key.
const sealInfo = "gmailsend webhook secrets v1"

// sealVersion is the first byte of every ciphertext, so a later scheme can
// be told apart from this one.
const sealVersion byte = 1

// KeySealer seals signing secrets with AES-256-GCM under a key derived
// (HKDF-SHA256, info "gmailsend webhook secrets v1") from the deployment's
// fingerprint key, with the item's identity (pk, sk) as additional data.
//
// Why not a Secrets Manager secret per endpoint: that costs $0.40 a month
// per endpoint and a GetSecretValue on every cold delivery, while the
// fingerprint key is read once per process already. Why not the table's
// encryption alone: server-side encryption protects the disks, not the
// data from whoever may read the table; with the secrets sealed here, a
// table export (a backup, a point-in-time copy) or a principal allowed
// only dynamodb:GetItem reads ciphertext, and needs the fingerprint key's
// secret as well. The additional data binds a ciphertext to its item: one
// copied onto another endpoint does not open, so a table write alone
// cannot make endpoint B sign with endpoint A's secret.
type KeySealer struct {
	Keys gmailsend.FingerprintKeys

	mu   sync.Mutex
	aead cipher.AEAD
}

var _ Sealer = (*KeySealer)(nil)

// errOpen says nothing of why: a wrong key, a moved or altered ciphertext
// all look alike, by design of GCM.
var errOpen = errors.New("webhooks: the endpoint's secrets do not open (moved, altered, or another key)")

func (k *KeySealer) cipher(ctx context.Context) (cipher.AEAD, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.aead != nil {
		return k.aead, nil
	}
	master, err := k.Keys.FingerprintKey(ctx)
	if err != nil {
		return nil, err
	}
	key, err := hkdf.Key(sha256.New, master, nil, sealInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("webhooks: deriving the secrets key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	k.aead = aead
	return aead, nil
}

// Seal encrypts plaintext bound to context: version, nonce, ciphertext.
func (k *KeySealer) Seal(ctx context.Context, plaintext, context []byte) ([]byte, error) {
	aead, err := k.cipher(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = sealVersion
	_, _ = rand.Read(out[1:]) // never short (crypto/rand since Go 1.24)
	return aead.Seal(out, out[1:1+aead.NonceSize()], plaintext, context), nil
}

// Open decrypts what Seal made with the same context.
func (k *KeySealer) Open(ctx context.Context, ciphertext, context []byte) ([]byte, error) {
	aead, err := k.cipher(ctx)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(ciphertext) < 1+n+aead.Overhead() || ciphertext[0] != sealVersion {
		return nil, errOpen
	}
	plain, err := aead.Open(nil, ciphertext[1:1+n], ciphertext[1+n:], context)
	if err != nil {
		return nil, errOpen
	}
	return plain, nil
}
