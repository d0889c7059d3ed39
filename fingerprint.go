package gmailsend

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
)

// MinFingerprintKeyBytes is the shortest fingerprint key accepted: an
// HMAC-SHA256 key of 32 random bytes, or the template's generated
// 64-character secret, cannot be guessed.
const MinFingerprintKeyBytes = 32

// FingerprintKey is the per-deployment secret under which requests are
// fingerprinted. Without it a fingerprint cannot be recomputed, so a
// short secret in a message (a six-digit code) cannot be recovered from
// the table by hashing guesses, as it could from an unkeyed hash.
type FingerprintKey []byte

// keyedPrefix marks a keyed fingerprint; a record's fingerprint without it
// was written before fingerprints were keyed (see Fingerprint.Matches).
const keyedPrefix = "k1:"

// Fingerprint identifies what a request asks for: an HMAC-SHA256 of the
// decoded request without its secret (a rotated password is the same
// request) and without the idempotency key itself. Only Value is stored.
type Fingerprint struct {
	// Value is what the record keeps: "k1:" and the HMAC in hex.
	Value string
	// of is the request as fingerprinted (a shallow copy: the send goes on
	// to fill in its account), for records written before the key.
	of Request
}

// Of fingerprints req under k.
func (k FingerprintKey) Of(req *Request) Fingerprint {
	c := canonical(req)
	raw, _ := json.Marshal(c)
	mac := hmac.New(sha256.New, k)
	mac.Write(raw)
	return Fingerprint{Value: keyedPrefix + hex.EncodeToString(mac.Sum(nil)), of: c}
}

// Matches reports whether stored, a record's fingerprint, is of the same
// request as f. A fingerprint written before fingerprints were keyed (an
// unkeyed SHA-256, no prefix) is compared as it was made, so a retry or a
// redelivery across the upgrade replays instead of conflicting; such
// records leave the table with their retention.
func (f Fingerprint) Matches(stored string) bool {
	if strings.HasPrefix(stored, keyedPrefix) {
		return hmac.Equal([]byte(stored), []byte(f.Value))
	}
	raw, _ := json.Marshal(f.of)
	sum := sha256.Sum256(raw)
	return stored == hex.EncodeToString(sum[:])
}

func canonical(req *Request) Request {
	c := *req
	c.Password, c.AccessToken = "", ""
	c.IdempotencyKey = ""
	if c.Template != "" {
		// Rendered from the template (the request may not carry them):
		// the request is the template's name and its variables, whichever
		// route rendered it and whenever.
		c.Subject, c.Message, c.Text = "", "", ""
	}
	return c
}

// FingerprintKeys gives the deployment's fingerprint key.
type FingerprintKeys interface {
	FingerprintKey(ctx context.Context) (FingerprintKey, error)
}

// StaticKey is a fingerprint key known in advance (tests, local tools).
type StaticKey FingerprintKey

// FingerprintKey returns k.
func (k StaticKey) FingerprintKey(context.Context) (FingerprintKey, error) {
	return FingerprintKey(k), nil
}

// SecretFetcher reads a secret's value by its name or ARN;
// *awssecrets.Store is one.
type SecretFetcher interface {
	FetchSecret(ctx context.Context, id string) ([]byte, error)
}

// SecretKey reads the fingerprint key from the secret store on first use
// (FINGERPRINT_KEY_SECRET) and keeps it for the life of the process: the
// key never changes under a deployment, so asking again would only cost a
// round trip. A failed read is not kept; the next send asks again.
type SecretKey struct {
	Fetch SecretFetcher
	ID    string

	mu  sync.Mutex
	key FingerprintKey
}

var _ FingerprintKeys = (*SecretKey)(nil)

// FingerprintKey returns the key, reading it once. Concurrent first
// callers share one read.
func (s *SecretKey) FingerprintKey(ctx context.Context) (FingerprintKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	raw, err := s.Fetch.FetchSecret(ctx, s.ID)
	if err != nil {
		if c := CodeOf(err); c == CodeSecretsUnavailable || c == CodeTimeout {
			return nil, err
		}
		// Missing, unreadable: the deployment is broken, not the request.
		return nil, &Error{Code: CodeInternal, Err: err, Message: "the fingerprint key could not be read"}
	}
	if len(raw) < MinFingerprintKeyBytes {
		return nil, &Error{Code: CodeInternal, Message: "the fingerprint key could not be read", Err: errShortKey}
	}
	s.key = FingerprintKey(raw)
	return s.key, nil
}

var errShortKey = errors.New("store: the secret FINGERPRINT_KEY_SECRET names holds fewer than 32 bytes")
