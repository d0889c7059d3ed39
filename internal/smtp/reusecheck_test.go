package smtp

import (
	"errors"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/blackhole"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

// behindBlackhole puts a proxy that can silently drop connections between
// the client and a development server.
func behindBlackhole(t *testing.T) (*devsmtp.Server, *blackhole.Proxy, Config) {
	t.Helper()
	srv, cfg := startServer(t, devsmtp.Options{})
	p, err := blackhole.Start(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	cfg.Port = p.Port
	cfg.ReuseCheckTimeout = 300 * time.Millisecond
	return srv, p, cfg
}

// TestSilentlyDroppedSessionRedials ensures a kept session the network forgot (no FIN, no RST) costs only the bounded first reply, then a new connection delivers the message once, on every path that waits for the RSET reply.
func TestSilentlyDroppedSessionRedials(t *testing.T) {
	for _, c := range []struct {
		name                        string
		pipelining, chunking, older bool
	}{
		{"stepwise", false, false, false},
		{"pipelined DATA", true, false, false},
		{"CHUNKING after a long idle", true, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, proxy, cfg := behindBlackhole(t)
			cfg.DisablePipelining, cfg.DisableChunking = !c.pipelining, !c.chunking
			client := New(cfg)
			defer client.Close()
			clock := &fakeClock{t: time.Now()}
			client.pool.now = clock.Now
			if err := client.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
				t.Fatal(err)
			}
			if proxy.SwallowOpen() != 1 {
				t.Fatal("no connection to swallow")
			}
			if c.older {
				clock.Advance(oneFlightIdle + time.Second)
			}
			start := time.Now()
			// A 20 s invocation, as in the report that found this.
			if err := client.Send(ctxTimeout(t, 20*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
				t.Fatalf("after %v: %v", time.Since(start), err)
			}
			took := time.Since(start)
			t.Logf("the silent session cost %v before the new connection delivered", took)
			if took > 3*time.Second {
				t.Fatalf("took %v; the first reply should have been bounded by %v", took, cfg.ReuseCheckTimeout)
			}
			if st := srv.Stats(); st.Messages != 2 || st.Connections != 2 {
				t.Fatalf("%+v", st)
			}
		})
	}
}

// TestSilentlyDroppedOneFlightIsUnknown ensures a session used moments ago that goes silent after taking the whole message in one flight is not redialled (the server may have it) but reported as delivery unknown within the reuse check's bound (ReuseCheckTimeout), not at the invocation's far deadline.
func TestSilentlyDroppedOneFlightIsUnknown(t *testing.T) {
	srv, proxy, cfg := behindBlackhole(t)
	cfg.SafetyMargin = 200 * time.Millisecond
	cfg.ReuseCheckTimeout = 300 * time.Millisecond
	client := New(cfg)
	defer client.Close()
	if err := client.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	proxy.SwallowOpen()
	start := time.Now()
	err := client.Send(ctxTimeout(t, 20*time.Second), goodCreds, testMessage("a@example.com"))
	// A bound, not a speed goal: the deadline is 20 s away, the bound 0.3 s.
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("answered after %v: waited for the invocation's deadline, not the reuse check's bound", took)
	}
	wantCode(t, err, gmailsend.CodeTimeout)
	if !errors.Is(err, ErrDeliveryUnknown) {
		t.Fatalf("%v: not marked delivery unknown", err)
	}
	if st := srv.Stats(); st.Messages != 1 || st.Connections != 1 {
		t.Fatalf("%+v: the message was sent again", st)
	}
}
