package standardwebhooks

import (
	"net/http"
	"testing"
	"time"
)

// TestVerify ensures each way a webhook can be wrong is refused with its own
// code, and each legitimate variation is accepted.
func TestVerify(t *testing.T) {
	sent := time.Unix(vectorTimestamp, 0)
	body := []byte(vectorPayload)
	wrongSecret := NewSecret()
	cases := []struct {
		name    string
		secrets []string
		edit    func(http.Header)
		body    string
		now     time.Time
		want    Code
	}{
		{name: "specification vector", want: ""},
		{name: "secret without prefix", secrets: []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, want: ""},
		{name: "second of two secrets matches", secrets: []string{wrongSecret, vectorSecret}, want: ""},
		{name: "one valid among several signatures", edit: func(h http.Header) {
			h.Set("webhook-signature", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= garbage v2,x "+vectorSignature)
		}, want: ""},
		{name: "5 minutes old is still on time", now: sent.Add(Tolerance), want: ""},
		{name: "5 minutes ahead is still on time", now: sent.Add(-Tolerance), want: ""},
		{name: "missing id", edit: func(h http.Header) { h.Del("webhook-id") }, want: CodeMissingHeader},
		{name: "missing timestamp", edit: func(h http.Header) { h.Del("webhook-timestamp") }, want: CodeMissingHeader},
		{name: "missing signature", edit: func(h http.Header) { h.Del("webhook-signature") }, want: CodeMissingHeader},
		{name: "timestamp not a number", edit: func(h http.Header) { h.Set("webhook-timestamp", "2021-02-26") }, want: CodeBadTimestamp},
		{name: "timestamp in milliseconds", edit: func(h http.Header) { h.Set("webhook-timestamp", "1614265330000") }, want: CodeTimestampTooNew},
		{name: "too old", now: sent.Add(Tolerance + time.Second), want: CodeTimestampTooOld},
		{name: "too new", now: sent.Add(-Tolerance - time.Second), want: CodeTimestampTooNew},
		{name: "tampered body", body: `{"test": 2432232315}`, want: CodeNoMatchingSignature},
		{name: "wrong secret", secrets: []string{wrongSecret}, want: CodeNoMatchingSignature},
		{name: "no secrets", secrets: []string{}, want: CodeNoMatchingSignature},
		{name: "right MAC under another version", edit: func(h http.Header) {
			h.Set("webhook-signature", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
		}, want: CodeNoMatchingSignature},
		{name: "other id", edit: func(h http.Header) { h.Set("webhook-id", "msg_other") }, want: CodeNoMatchingSignature},
		{name: "bad secret", secrets: []string{"whsec_%%%"}, want: CodeInvalidSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := vectorHeader()
			if c.edit != nil {
				c.edit(h)
			}
			secrets := c.secrets
			if secrets == nil {
				secrets = []string{vectorSecret}
			}
			got := body
			if c.body != "" {
				got = []byte(c.body)
			}
			now := c.now
			if now.IsZero() {
				now = sent
			}
			if err := Verify(secrets, h, got, now); CodeOf(err) != c.want {
				t.Fatalf("Verify = %v, want code %q", err, c.want)
			}
		})
	}
}

// TestVerifyAcceptsWhatSignProducesAndTheSpecReceiverAgrees ensures Sign and
// Verify round-trip, checked independently by the tests' own receiver.
func TestVerifyAcceptsWhatSignProducesAndTheSpecReceiverAgrees(t *testing.T) {
	secret := NewSecret()
	body := []byte(`{"id":"m1"}`)
	now := time.Now()
	h, err := Sign([]string{secret}, "evt_rt", now, body)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify([]string{secret}, h, body, now); err != nil {
		t.Fatal(err)
	}
	if !specAccepts(t, secret, h, body) {
		t.Fatal("the spec receiver refused what Verify accepted")
	}
}
