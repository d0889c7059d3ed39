package app

import (
	"io"
	"sync"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/emf"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// metricsNamespace parses METRICS_NAMESPACE: a namespace CloudWatch would
// refuse stops the function at start, rather than every metric line being
// dropped silently later.
func metricsNamespace(c *Config, v string) error {
	if err := emf.CheckNamespace(v); err != nil {
		return err
	}
	c.MetricsNamespace = v
	return nil
}

// LogOutput is where a function's log and metric lines go: parts.Log
// (nowhere when nil), each write a whole line that no other write
// interleaves with. Every function builds its logger and its metrics
// writer over the one it returns.
func LogOutput(parts Parts) io.Writer {
	if parts.Log == nil {
		return io.Discard
	}
	return &lineWriter{w: parts.Log}
}

// lineWriter serialises the writes of the log handler and the metrics
// writer, which share the function's standard output: each writes a whole
// line per call, and neither may interleave with the other.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// observeQuota publishes the quota guard's view of each account's window
// as QuotaUsedPercent (the share of the tighter limit). The account is the
// guard's own key: "addr:" and a hash of the Gmail address, never the
// address.
func observeQuota(s *sender.Sender, mw *emf.Writer) {
	g := s.Durability.Quota
	if g == nil {
		return
	}
	g.Observe = func(account string, used gmailsend.Usage, limits gmailsend.QuotaLimits) {
		u, l := gmailsend.Fullest(used, limits)
		_ = mw.QuotaUsed(account, u, l)
	}
}
