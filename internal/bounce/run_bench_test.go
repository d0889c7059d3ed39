package bounce_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// BenchmarkRun measures a whole run over a real IMAP server and table:
// 20 new notifications (each about a distinct sent message) per run,
// reporting notifications applied per second and IMAP round trips per run.
func BenchmarkRun(b *testing.B) {
	r := newRig(b, bounce.DefaultOptions())
	raw := sample(b, "gmail-failure.eml")
	const perRun = 20
	n := 0
	var trips int64
	for b.Loop() {
		b.StopTimer()
		for i := 0; i < perRun; i++ {
			n++
			id := fmt.Sprintf("<bench.%d@gmail.com>", n)
			r.sent(b, "credential:desk", id, gmailTo)
			r.deliver(b, bytes.ReplaceAll(raw, []byte(gmailID), []byte(id)))
		}
		before := r.imap.Stats().RoundTrips
		b.StartTimer()
		rep := r.run(b)
		b.StopTimer()
		trips += r.imap.Stats().RoundTrips - before
		if rep.Bounced != perRun {
			b.Fatalf("run applied %d of %d", rep.Bounced, perRun)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*perRun)/b.Elapsed().Seconds(), "notifications/s")
	b.ReportMetric(float64(trips)/float64(b.N), "imap-round-trips/run")
}
