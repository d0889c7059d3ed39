package standardwebhooks

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// endlessReader counts what is read from a body that never ends.
type endlessReader struct{ read int64 }

func (r *endlessReader) Read(p []byte) (int, error) {
	r.read += int64(len(p))
	return len(p), nil
}

// TestDiscardBoundedReadsExactlyTheLimit ensures at most 64 KiB of an answer
// is read, however much the receiver sends.
func TestDiscardBoundedReadsExactlyTheLimit(t *testing.T) {
	endless := &endlessReader{}
	if n := discardBounded(endless); n != 64<<10 || endless.read != 64<<10 {
		t.Fatalf("discarded %d, read %d; want exactly %d", n, endless.read, 64<<10)
	}
	if n := discardBounded(strings.NewReader("short")); n != 5 {
		t.Fatalf("discarded %d of a 5-byte body", n)
	}
}

// TestDeliverStopsReadingAnEndlessAnswer ensures a receiver streaming a body
// without end cannot hold a delivery: Deliver returns, delivered, without
// waiting for its timeout.
func TestDeliverStopsReadingAnEndlessAnswer(t *testing.T) {
	srv, client := tlsReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		chunk := make([]byte, 16<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}, ClientConfig{AllowLoopback: true, Timeout: time.Minute})
	done := make(chan Outcome, 1)
	go func() { done <- client.Deliver(context.Background(), delivery(srv.URL, NewSecret())) }()
	select {
	case out := <-done:
		if !out.Delivered || out.Status != http.StatusOK {
			t.Fatalf("outcome %+v", out)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Deliver is still reading an endless body")
	}
}

// TestDeliverHonoursItsTimeout ensures a receiver that never answers costs
// one configured timeout, reported as such and retried.
func TestDeliverHonoursItsTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, client := tlsReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}, ClientConfig{AllowLoopback: true, Timeout: 200 * time.Millisecond})
	t.Cleanup(func() { close(release) }) // runs before the server's Close, which waits for handlers
	start := time.Now()
	out := client.Deliver(context.Background(), delivery(srv.URL+"/hook?token=SEKRET", NewSecret()))
	if out.Code != CodeTimeout || out.Status != 0 || !out.Retry {
		t.Fatalf("outcome %+v, want a retryable timeout", out)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("took %v with a 200ms timeout", elapsed)
	}
	assertNoText(t, out.Err, "SEKRET")
}

// TestDeliverTransportFailureKeepsTheQueryOut ensures a dropped connection
// is a retryable transport failure whose error does not repeat the URL's
// query (net/http's own error would).
func TestDeliverTransportFailureKeepsTheQueryOut(t *testing.T) {
	srv, client := tlsReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}, ClientConfig{AllowLoopback: true})
	out := client.Deliver(context.Background(), delivery(srv.URL+"/hook?token=SEKRET", NewSecret()))
	if out.Code != CodeTransport || out.Status != 0 || !out.Retry {
		t.Fatalf("outcome %+v, want a retryable transport failure", out)
	}
	assertNoText(t, out.Err, "SEKRET")
}

// TestDeliverVerifiesCertificates ensures production's client, which
// trusts only the system roots, refuses a certificate it cannot verify.
func TestDeliverVerifiesCertificates(t *testing.T) {
	srv, _ := tlsReceiver(t, func(w http.ResponseWriter, r *http.Request) {}, ClientConfig{})
	client := NewClient(ClientConfig{AllowLoopback: true})
	out := client.Deliver(context.Background(), delivery(srv.URL, NewSecret()))
	if out.Code != CodeTLS || out.Delivered {
		t.Fatalf("outcome %+v, want %s", out, CodeTLS)
	}
}

// TestDeliverRefusesPlainHTTPAndBadSecretsBeforeConnecting ensures nothing
// is sent over plain http to a non-loopback host, nor unsigned.
func TestDeliverRefusesPlainHTTPAndBadSecretsBeforeConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	resolver := newScriptedResolver(map[string][][]string{"public.test": {{"93.184.216.34"}}})
	client := NewClient(ClientConfig{Resolver: resolver, Timeout: time.Second})
	if out := client.Deliver(context.Background(), delivery("http://public.test/hook", NewSecret())); out.Code != CodeURLScheme {
		t.Fatalf("plain http: %+v", out)
	}
	local := NewClient(ClientConfig{AllowLoopback: true, Timeout: time.Second})
	out := local.Deliver(context.Background(), delivery("http://"+ln.Addr().String()+"/", "whsec_bad"))
	if out.Code != CodeInvalidSecret {
		t.Fatalf("bad secret: %+v", out)
	}
}
