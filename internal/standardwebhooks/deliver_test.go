package standardwebhooks

import (
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// tlsReceiver starts an HTTPS receiver on 127.0.0.1 and returns it with a
// Client that trusts its certificate and may reach loopback.
func tlsReceiver(t *testing.T, handler http.HandlerFunc, cfg ClientConfig) (*httptest.Server, *Client) {
	t.Helper()
	srv := httptest.NewTLSServer(handler)
	t.Cleanup(srv.Close)
	cfg.RootCAs = x509.NewCertPool()
	cfg.RootCAs.AddCert(srv.Certificate())
	return srv, NewClient(cfg)
}

func delivery(url string, secrets ...string) Delivery {
	return Delivery{URL: url, Secrets: secrets, EventID: "evt_test", Payload: []byte(`{"type":"message.sent"}`), At: time.Now()}
}

// TestDeliverReachesAReceiverThatVerifiesOnItsOwn ensures what arrives is a
// POST of the payload as JSON whose signatures the tests' own receiver
// accepts, and that a rotation keeps both old and new receivers working.
func TestDeliverReachesAReceiverThatVerifiesOnItsOwn(t *testing.T) {
	oldSecret, newSecret := NewSecret(), NewSecret()
	var receiverSecret atomic.Value
	receiverSecret.Store(oldSecret)
	var arrived atomic.Value
	srv, client := tlsReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		arrived.Store(string(body))
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("webhook-id") != "evt_test" {
			http.Error(w, "bad request shape", http.StatusBadRequest)
			return
		}
		if !specAccepts(t, receiverSecret.Load().(string), r.Header, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}, ClientConfig{AllowLoopback: true})

	steps := []struct {
		name, receiverHolds string
		signWith            []string
		wantDelivered       bool
	}{
		{"before rotation", oldSecret, []string{oldSecret}, true},
		{"grace period, receiver not yet updated", oldSecret, []string{oldSecret, newSecret}, true},
		{"grace period, receiver updated", newSecret, []string{oldSecret, newSecret}, true},
		{"old secret retired", newSecret, []string{newSecret}, true},
		{"receiver still on the retired secret", oldSecret, []string{newSecret}, false},
	}
	for _, s := range steps {
		receiverSecret.Store(s.receiverHolds)
		out := client.Deliver(context.Background(), delivery(srv.URL+"/hook", s.signWith...))
		if out.Delivered != s.wantDelivered {
			t.Fatalf("%s: outcome %+v, want delivered=%v", s.name, out, s.wantDelivered)
		}
	}
	if got := arrived.Load(); got != `{"type":"message.sent"}` {
		t.Fatalf("receiver got body %q", got)
	}
}

// TestDeliverRefusesARebindingNameAtConnectTime ensures a name that passed
// CheckURL with a public address is still refused when it resolves to
// 127.0.0.1 at delivery: the receiver on loopback never sees a request.
func TestDeliverRefusesARebindingNameAtConnectTime(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	resolver := newScriptedResolver(map[string][][]string{"rebind.test": {{"93.184.216.34"}, {"127.0.0.1"}}})
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	client := NewClient(ClientConfig{Resolver: resolver, RootCAs: pool})
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]

	out := client.Deliver(context.Background(), delivery("https://rebind.test:"+port+"/hook", NewSecret()))
	if out.Code != CodeAddrLoopback || out.Status != 0 || out.Delivered || !out.Retry {
		t.Fatalf("outcome %+v, want a loopback refusal with no status", out)
	}
	if n := resolver.lookups("rebind.test"); n != 2 {
		t.Fatalf("%d lookups, want 2: CheckURL's (public) and the dialer's (loopback)", n)
	}
	if hits.Load() != 0 {
		t.Fatalf("loopback receiver got %d requests", hits.Load())
	}
}

// TestDeliverDoesNotFollowRedirects ensures a 3xx is a failure and its
// target is never contacted.
func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	var targetHits atomic.Int32
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { targetHits.Add(1) }))
	defer target.Close()
	srv, client := tlsReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusFound)
	}, ClientConfig{AllowLoopback: true})

	out := client.Deliver(context.Background(), delivery(srv.URL, NewSecret()))
	if out.Status != http.StatusFound || out.Delivered || !out.Retry || out.Code != CodeRedirect {
		t.Fatalf("outcome %+v, want a retryable 302", out)
	}
	if targetHits.Load() != 0 {
		t.Fatalf("redirect target got %d requests", targetHits.Load())
	}
}

// TestDeliverMapsStatusesToOutcomes ensures 2xx is delivered, 410 asks for
// the endpoint to be disabled, and everything else is retried.
func TestDeliverMapsStatusesToOutcomes(t *testing.T) {
	cases := []struct {
		status                 int
		delivered, gone, retry bool
		code                   Code
	}{
		{http.StatusOK, true, false, false, ""},
		{http.StatusAccepted, true, false, false, ""},
		{http.StatusGone, false, true, false, CodeEndpointGone},
		{http.StatusInternalServerError, false, false, true, CodeEndpointStatus},
		{http.StatusNotFound, false, false, true, CodeEndpointStatus},
		{http.StatusTooManyRequests, false, false, true, CodeEndpointStatus},
	}
	for _, c := range cases {
		srv, client := tlsReceiver(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(c.status)
			io.WriteString(w, "receiver's secret internals")
		}, ClientConfig{AllowLoopback: true})
		out := client.Deliver(context.Background(), delivery(srv.URL, NewSecret()))
		if out.Status != c.status || out.Delivered != c.delivered || out.Gone != c.gone || out.Retry != c.retry || out.Code != c.code {
			t.Errorf("status %d: outcome %+v", c.status, out)
		}
		if out.Err != nil {
			assertNoText(t, out.Err, "secret internals")
		}
	}
}
