package benchmark

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestStoreRowShort runs the "warm, with the store" measurement with tiny counts so it cannot rot, and holds records, idempotency and the quota guard to at most 3 DynamoDB requests per warm send (claim carrying the "content may be at the server" mark, quota reservation, outcome) in at most 2 sequential flights, issue 20's budget: the claim, the reservation and the suppression check go side by side, and on a warm one-flight send the claim carries the mark (sender/mark.go, oneFlightLikely). (The latency each adds is the bench's figure, at the bench's round trip.)
func TestStoreRowShort(t *testing.T) {
	root := fixture.ModuleRoot(t)
	dynalite.Require(t)
	cfg := Config{RTT: time.Millisecond, Warm: 5, ModuleRoot: root, WorkDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := RunStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stored.Messages != 5 || rep.Stateless.Messages != 5 {
		t.Fatalf("messages %d %d", rep.Stored.Messages, rep.Stateless.Messages)
	}
	if per := rep.RecordPerSend(); per <= 0 || per > 3 {
		t.Fatalf("%.2f record, idempotency and quota requests per warm send (%v), want at most 3", per, rep.Requests)
	}
	if per := rep.FlightsPerSend(); per <= 0 || per > 2 {
		t.Fatalf("%.2f DynamoDB flights per warm send, want at most 2 (claim, reservation and suppression side by side, the mark in the claim; then the outcome)", per)
	}
	var md bytes.Buffer
	rep.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "| warm sequential, with the store |") {
		t.Fatalf("report:\n%s", md.String())
	}
	t.Logf("\n%s", md.String())
}
