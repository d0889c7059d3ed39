package benchmark

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestCountingProxyForwardsAfterTheRoundTrip ensures the proxy put in front of each AWS endpoint answers with the endpoint's own reply, no sooner than the simulated round trip, and counts requests by operation.
func TestCountingProxyForwardsAfterTheRoundTrip(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Amz-Target-Seen", r.Header.Get("X-Amz-Target"))
		_, _ = w.Write(append([]byte("echo:"), b...))
	}))
	defer backend.Close()
	p := newCountingProxy(backend.URL, 50*time.Millisecond)
	defer p.Close()
	req, _ := http.NewRequest("POST", p.URL, strings.NewReader("ping"))
	req.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Fatalf("answered after %v, before the round trip", took)
	}
	if string(body) != "echo:ping" || resp.Header.Get("X-Amz-Target-Seen") != "AmazonSQS.SendMessage" {
		t.Fatalf("%q %v", body, resp.Header)
	}
	if got, _ := p.counts(); len(got) != 1 || got["SendMessage"] != 1 {
		t.Fatalf("counted %v", got)
	}
}

// TestQueuedMarkdownShowsTheFigures ensures the report prints p50, p99 and the batch's end-to-end rate from the measurements.
func TestQueuedMarkdownShowsTheFigures(t *testing.T) {
	r := &QueuedReport{RTT: 10 * time.Millisecond, Batch: 100, Accepts: 400 * time.Millisecond, EndToEnd: 5 * time.Second, Invocations: 10, Conns: 1}
	for i := 1; i <= 100; i++ {
		r.Accept.record(time.Duration(i)*time.Millisecond, 1)
	}
	var b bytes.Buffer
	r.WriteMarkdown(&b)
	for _, want := range []string{"p50 (100 calls) | 50.0 ms", "p99 | 99.0 ms", "accepted in | 400.0 ms", "5000.0 ms (20.0 msgs/s)", "| 10, 1 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// TestRunQueuedShort runs the queued-sends measurement once with tiny counts so it cannot rot: the real bootstrap against the local table, queue and scheduler; every accepted message must be delivered.
func TestRunQueuedShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	dynalite.Require(t)
	cfg := Config{Warm: 3, ModuleRoot: fixture.ModuleRoot(t), WorkDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := RunQueued(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Accept.Messages != 3 || r.Accept.Percentile(50) <= 0 || r.EndToEnd < r.Accepts || r.Invocations < 10 {
		t.Fatalf("%+v", r)
	}
}
