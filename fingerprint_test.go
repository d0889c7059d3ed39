package gmailsend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

var testKey = FingerprintKey("a fingerprint key of thirty-two bytes")

// TestFingerprintIgnoresSecretsAndKey ensures a rotated password or the idempotency key itself does not change the fingerprint, another subject does, and the value holds neither.
func TestFingerprintIgnoresSecretsAndKey(t *testing.T) {
	r := &Request{User: "a@gmail.com", Password: "p1", ToEmail: AddressList{"b@example.com"}, Subject: "s"}
	f := testKey.Of(r)
	r2 := *r
	r2.Password, r2.IdempotencyKey = "p2", "k"
	if testKey.Of(&r2).Value != f.Value || !testKey.Of(&r2).Matches(f.Value) {
		t.Fatal("password or key changed the fingerprint")
	}
	r2.Subject = "other"
	if testKey.Of(&r2).Matches(f.Value) {
		t.Fatal("another subject has the same fingerprint")
	}
	if strings.Contains(f.Value, "p1") || !strings.HasPrefix(f.Value, "k1:") || len(f.Value) != 3+64 {
		t.Fatalf("fingerprint %s", f.Value)
	}
}

// TestFingerprintNeedsTheKey ensures the same request under another deployment's key has an unrelated fingerprint, so the value cannot be recomputed without the key.
func TestFingerprintNeedsTheKey(t *testing.T) {
	r := &Request{User: "a@gmail.com", ToEmail: AddressList{"b@example.com"}, Message: "code 123456"}
	other := FingerprintKey("another deployment's key, also 32+ bytes")
	if testKey.Of(r).Value == other.Of(r).Value || other.Of(r).Matches(testKey.Of(r).Value) {
		t.Fatal("the fingerprint does not depend on the key")
	}
}

// TestFingerprintMatchesRecordsWrittenBeforeTheKey ensures a record's unkeyed fingerprint (SHA-256 of the request, as written before fingerprints were keyed) still matches the same request, made before the send filled in the account, and not another.
func TestFingerprintMatchesRecordsWrittenBeforeTheKey(t *testing.T) {
	r := &Request{Credential: "desk", Password: "", ToEmail: AddressList{"b@example.com"}, Subject: "s", IdempotencyKey: "k"}
	legacy := func(r Request) string {
		r.Password, r.AccessToken, r.IdempotencyKey = "", "", ""
		raw, _ := json.Marshal(r)
		sum := sha256.Sum256(raw)
		return hex.EncodeToString(sum[:])
	}
	stored := legacy(*r)
	f := testKey.Of(r)
	r.User = "desk@gmail.com" // the resolver fills it in after the fingerprint
	if !f.Matches(stored) {
		t.Fatal("an unkeyed fingerprint of the same request does not match")
	}
	r.Subject = "other"
	if testKey.Of(r).Matches(stored) {
		t.Fatal("an unkeyed fingerprint matches another request")
	}
}

// countingFetcher serves one secret and counts reads; fail makes the next read fail.
type countingFetcher struct {
	value string
	reads int
	fail  error
}

func (c *countingFetcher) FetchSecret(_ context.Context, id string) ([]byte, error) {
	c.reads++
	if c.fail != nil {
		err := c.fail
		c.fail = nil
		return nil, err
	}
	return []byte(c.value), nil
}

// TestSecretKeyReadOnce ensures the key is read on first use and kept, a failed read is not kept, an unavailable store stays retryable and a short or missing key is internal.
func TestSecretKeyReadOnce(t *testing.T) {
	ctx := context.Background()
	f := &countingFetcher{value: strings.Repeat("k", 64), fail: Errorf(CodeSecretsUnavailable, "", "throttled")}
	k := &SecretKey{Fetch: f, ID: "arn:key"}
	if _, err := k.FingerprintKey(ctx); CodeOf(err) != CodeSecretsUnavailable {
		t.Fatalf("first read: %v", err)
	}
	for range 3 {
		if key, err := k.FingerprintKey(ctx); err != nil || string(key) != f.value {
			t.Fatalf("%q %v", key, err)
		}
	}
	if f.reads != 2 {
		t.Fatalf("%d reads, want 2", f.reads)
	}
	for _, c := range []*countingFetcher{{value: "short"}, {fail: Errorf(CodeCredentialNotFound, "credential", "no such secret")}} {
		_, err := (&SecretKey{Fetch: c, ID: "arn:key"}).FingerprintKey(ctx)
		if e := AsError(err); e == nil || e.Code != CodeInternal || errors.Unwrap(e) == nil {
			t.Errorf("%+v: %v, want internal with its cause", c, err)
		}
	}
}
