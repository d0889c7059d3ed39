package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
)

// receiver is `make serve`'s webhook receiver: point a webhook at it
// (POST /webhooks {"url": "http://127.0.0.1:3001/hook"}) and it prints
// every delivery, with its signature checked against the secrets that
// POST /webhooks and /rotate returned through this server (learn). It
// answers 204, as a receiver that took the event should.
type receiver struct {
	URL string
	out io.Writer
	srv *http.Server

	mu sync.Mutex
	// secrets are each endpoint's secrets, newest last (a rotation keeps
	// the old one signing for 24 h).
	secrets map[string][]string
	got     []receipt
}

// receipt is one delivery as the receiver saw it.
type receipt struct {
	Type, EventID string
	// Endpoint is the endpoint whose secret verified the signature; ""
	// when none did.
	Endpoint   string
	ReceivedAt time.Time
}

// maxDelivery bounds what the receiver reads of one delivery.
const maxDelivery = 1 << 20

func startReceiver(addr string, out io.Writer) (*receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the webhook receiver: %w", err)
	}
	r := &receiver{URL: "http://" + ln.Addr().String(), out: out, secrets: map[string][]string{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) Close() { _ = r.srv.Close() }

// learn keeps the secret of an answer of POST /webhooks or
// /webhooks/{id}/rotate: the only moments a secret is shown.
func (r *receiver) learn(body string) {
	var ans struct{ ID, Secret string }
	if json.Unmarshal([]byte(body), &ans) != nil || ans.ID == "" || ans.Secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets[ans.ID] = append(r.secrets[ans.ID], ans.Secret)
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxDelivery))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	var ev struct{ Type string }
	_ = json.Unmarshal(body, &ev)
	got := receipt{Type: ev.Type, EventID: req.Header.Get("webhook-id"), Endpoint: r.verifiedBy(req.Header, body), ReceivedAt: time.Now()}
	r.mu.Lock()
	r.got = append(r.got, got)
	r.mu.Unlock()
	signed := "signature NOT verified (no secret this server handed out matches)"
	if got.Endpoint != "" {
		signed = "signed: verified with the secret of " + got.Endpoint
	}
	// The event carries ids and codes only: printing it whole is safe.
	fmt.Fprintf(r.out, "── webhook received at %s%s: %s %s, %s\n   %s\n", r.URL, req.URL.Path, got.Type, got.EventID, signed, body)
	w.WriteHeader(http.StatusNoContent)
}

// verifiedBy is the endpoint whose secrets verify the delivery's
// signature, timestamp tolerance included.
func (r *receiver) verifiedBy(h http.Header, body []byte) string {
	r.mu.Lock()
	secrets := maps.Clone(r.secrets) // learn only appends: the slices stay as they are
	r.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(secrets)) {
		if standardwebhooks.Verify(secrets[id], h, body, time.Now()) == nil {
			return id
		}
	}
	return ""
}

// received is what arrived so far.
func (r *receiver) received() []receipt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receipt(nil), r.got...)
}
