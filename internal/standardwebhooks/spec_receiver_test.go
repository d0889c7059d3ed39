package standardwebhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// specAccepts is the tests' own reading of the Standard Webhooks
// specification, written apart from Sign and Verify so that one mistake made
// in both (a wrong delimiter, base64 alphabet or key decoding) cannot make
// them agree with each other and with nobody else.
func specAccepts(t testing.TB, secret string, h http.Header, body []byte) bool {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatalf("test secret is not base64: %v", err)
	}
	content := h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(content))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, offered := range strings.Split(h.Get("webhook-signature"), " ") {
		if hmac.Equal([]byte(offered), []byte(want)) {
			return true
		}
	}
	return false
}

// scriptedResolver answers each host with a scripted sequence of answers,
// one per lookup, the last repeating; it counts lookups so a test can tell
// a check-time resolution from a connect-time one.
type scriptedResolver struct {
	mu      sync.Mutex
	answers map[string][][]netip.Addr
	calls   map[string]int
}

func newScriptedResolver(answers map[string][][]string) *scriptedResolver {
	r := &scriptedResolver{answers: map[string][][]netip.Addr{}, calls: map[string]int{}}
	for host, sequence := range answers {
		for _, answer := range sequence {
			var addrs []netip.Addr
			for _, a := range answer {
				addrs = append(addrs, netip.MustParseAddr(a))
			}
			r.answers[host] = append(r.answers[host], addrs)
		}
	}
	return r
}

func (r *scriptedResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sequence, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	n := min(r.calls[host], len(sequence)-1)
	r.calls[host]++
	return sequence[n], nil
}

func (r *scriptedResolver) lookups(host string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[host]
}

// assertNoText fails when text appears anywhere in err's chain, the way a
// log line with %+v or a walk of the causes would show it.
func assertNoText(t *testing.T, err error, text string) {
	t.Helper()
	queue := []error{err}
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		if e == nil {
			continue
		}
		if s := fmt.Sprintf("%v %+v", e, e); strings.Contains(s, text) {
			t.Fatalf("error chain reveals %q: %s", text, s)
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			queue = append(queue, u.Unwrap()...)
		default:
			queue = append(queue, errors.Unwrap(e))
		}
	}
}
