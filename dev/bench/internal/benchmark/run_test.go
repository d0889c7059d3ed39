package benchmark

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestHarnessShort runs the benchmark harness once with tiny counts so it cannot rot: the real bootstrap, and smtplib when Python is present.
func TestHarnessShort(t *testing.T) {
	contenders := []string{Gmailsend, GmailsendData}
	if _, err := exec.LookPath("python3"); err == nil {
		contenders = append(contenders, Smtplib)
	}
	// 21 warm sends: the per-message figure subtracts the cold run's count,
	// so one round trip of difference between the two runs moves it by
	// 1/20, not 1/5.
	cfg := Config{RTT: 10 * time.Millisecond, ColdRuns: 1, Warm: 21, Batches: 1, Contenders: contenders,
		ModuleRoot: fixture.ModuleRoot(t), WorkDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3*len(rep.Config.Contenders) {
		t.Fatalf("%d results", len(rep.Results))
	}
	warm, _ := rep.find(Warm, Gmailsend)
	batch, _ := rep.find(Batch, Gmailsend)
	if warm.Messages != 21 || warm.Conns != 1 || batch.Messages != 10 || batch.Conns != 1 || warm.PeakRSSKiB == 0 || warm.CPU == 0 {
		t.Fatalf("warm %+v batch %+v", warm, batch)
	}
	// After the first (cold) send, a warm send reuses the session: one round
	// trip with CHUNKING (BDAT in one flight), two with DATA. The server's
	// count can differ by a round trip between runs on a loaded machine (a
	// flight still being written when its first reply is delivered, in the
	// cold run or the warm one), so this checks the order and loose bounds;
	// internal/smtp checks the exact counts.
	perWarm := map[string]float64{}
	for _, contender := range []string{Gmailsend, GmailsendData} {
		cold, _ := rep.find(Cold, contender)
		warm, _ := rep.find(Warm, contender)
		perWarm[contender] = float64(warm.RoundTrips-cold.RoundTrips) / float64(warm.Messages-1)
	}
	if perWarm[Gmailsend] >= perWarm[GmailsendData] || perWarm[GmailsendData] < 1.75 || perWarm[Gmailsend] > 1.4 {
		t.Errorf("round trips per warm message: %.1f with CHUNKING, %.1f with DATA; want about 1 and 2", perWarm[Gmailsend], perWarm[GmailsendData])
	}
	var md, svg bytes.Buffer
	rep.WriteMarkdown(&md)
	rep.WriteSVG(&svg)
	if !strings.Contains(md.String(), "| warm sequential | gmailsend |") || !strings.Contains(svg.String(), "<svg") {
		t.Fatalf("report:\n%s", md.String())
	}
}

// TestHarnessOnPostfixShort runs gmailsend's workloads once against Postfix too, with tiny counts, so the real-server half of `make bench` cannot rot; skipped where Postfix cannot run (not root), failing under CI=true.
func TestHarnessOnPostfixShort(t *testing.T) {
	cfg := Config{RTT: time.Millisecond, ColdRuns: 1, Warm: 3, Batches: 1, Contenders: []string{Gmailsend}, Postfix: true,
		ModuleRoot: fixture.ModuleRoot(t), WorkDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.PostfixSkipped != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("Postfix skipped under CI: %s", rep.PostfixSkipped)
		}
		t.Skipf("Postfix tests skipped: %s", rep.PostfixSkipped)
	}
	warm, ok := rep.findOn(PostfixServer, Warm, Gmailsend)
	if !ok || warm.Messages != 3 || warm.Counted || warm.CPU == 0 {
		t.Fatalf("%+v", warm)
	}
	var md bytes.Buffer
	rep.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "## Postfix") || !strings.Contains(md.String(), "| warm sequential | gmailsend | ") {
		t.Fatalf("report:\n%s", md.String())
	}
}
