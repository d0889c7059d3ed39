package standardwebhooks

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The published Standard Webhooks test vector, as in the reference
// libraries' tests (standard-webhooks/standard-webhooks, libraries/go/
// webhook_test.go TestWebhookSign, and the PHP and Rust equivalents).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorPayload   = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// TestSignReproducesTheSpecificationTestVector ensures interoperability:
// a receiver using any reference library accepts what Sign produces.
func TestSignReproducesTheSpecificationTestVector(t *testing.T) {
	h, err := Sign([]string{vectorSecret}, vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorPayload))
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Get("webhook-signature"); got != vectorSignature {
		t.Fatalf("signature %q, want %q", got, vectorSignature)
	}
	if h.Get("webhook-id") != vectorID || h.Get("webhook-timestamp") != "1614265330" {
		t.Fatalf("headers %v", h)
	}
}

// TestSignWithTwoSecretsVerifiesWithEitherDuringRotation ensures a rotation
// loses no receiver: while both secrets sign, a receiver holding either
// accepts; once the old one is dropped, only the new one does.
func TestSignWithTwoSecretsVerifiesWithEitherDuringRotation(t *testing.T) {
	oldSecret, newSecret := NewSecret(), NewSecret()
	body := []byte(`{"type":"message.sent"}`)
	at := time.Now()
	both, err := Sign([]string{oldSecret, newSecret}, "evt_1", at, body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(both.Get("webhook-signature"))); n != 2 {
		t.Fatalf("%d signatures, want 2", n)
	}
	for name, secret := range map[string]string{"old": oldSecret, "new": newSecret} {
		if !specAccepts(t, secret, both, body) {
			t.Errorf("receiver holding the %s secret refused the rotation-period signature", name)
		}
		if err := Verify([]string{secret}, both, body, at); err != nil {
			t.Errorf("Verify with the %s secret: %v", name, err)
		}
	}
	newOnly, err := Sign([]string{newSecret}, "evt_1", at, body)
	if err != nil {
		t.Fatal(err)
	}
	if !specAccepts(t, newSecret, newOnly, body) {
		t.Error("receiver holding the new secret refused after the old one was dropped")
	}
	if specAccepts(t, oldSecret, newOnly, body) {
		t.Error("the dropped old secret still verifies")
	}
}

// TestSignRefusesWhatCannotBeSigned ensures a missing id or secret, or a
// malformed secret, is an error and not an unsigned request.
func TestSignRefusesWhatCannotBeSigned(t *testing.T) {
	cases := []struct {
		name    string
		secrets []string
		id      string
		want    Code
	}{
		{"no id", []string{vectorSecret}, "", CodeInvalidMessage},
		{"no secrets", nil, "evt", CodeInvalidSecret},
		{"one bad secret among good", []string{vectorSecret, "whsec_???"}, "evt", CodeInvalidSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := Sign(c.secrets, c.id, time.Now(), nil)
			if CodeOf(err) != c.want || h != nil {
				t.Fatalf("Sign = %v, %v; want nil, %s", h, err, c.want)
			}
		})
	}
}

func vectorHeader() http.Header {
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", vectorSignature)
	return h
}
