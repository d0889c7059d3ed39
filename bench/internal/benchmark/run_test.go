package benchmark

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/dev/fixture"
)

// TestHarnessShort runs the benchmark harness once with tiny counts so it cannot rot: the real bootstrap, and smtplib when Python is present.
func TestHarnessShort(t *testing.T) {
	contenders := []string{Gmailsend}
	if _, err := exec.LookPath("python3"); err == nil {
		contenders = append(contenders, Smtplib)
	}
	cfg := Config{RTT: time.Millisecond, ColdRuns: 1, Warm: 3, Batches: 1, Contenders: contenders,
		ModuleRoot: fixture.ModuleRoot(t), WorkDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3*len(contenders) {
		t.Fatalf("%d results", len(rep.Results))
	}
	warm, _ := rep.find(Warm, Gmailsend)
	batch, _ := rep.find(Batch, Gmailsend)
	if warm.Messages != 3 || warm.Conns != 1 || batch.Messages != 10 || batch.Conns != 1 || warm.PeakRSSKiB == 0 || warm.CPU == 0 {
		t.Fatalf("warm %+v batch %+v", warm, batch)
	}
	// After the first send, a warm send reuses the session: at most 3 round trips each on average.
	if rt := warm.RoundTripsPerMessage(); rt > 5 {
		t.Fatalf("warm round trips per message %.1f", rt)
	}
	var md, svg bytes.Buffer
	rep.WriteMarkdown(&md)
	rep.WriteSVG(&svg)
	if !strings.Contains(md.String(), "| warm sequential | gmailsend |") || !strings.Contains(svg.String(), "<svg") {
		t.Fatalf("report:\n%s", md.String())
	}
}
