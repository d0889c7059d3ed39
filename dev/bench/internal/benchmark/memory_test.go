package benchmark

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestMemorySweepShort runs the MemorySize sweep once with tiny counts so it cannot rot: the bootstrap under a CPU quota at two sizes, the smaller one given less CPU; skipped without a writable cpu cgroup (not root), failing under CI=true.
func TestMemorySweepShort(t *testing.T) {
	cfg := Config{RTT: time.Millisecond, Warm: 3, ModuleRoot: fixture.ModuleRoot(t), WorkDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := RunMemorySweep(ctx, cfg, []int{128, 1024})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("sweep skipped under CI: %s", rep.Skipped)
		}
		t.Skipf("MemorySize sweep skipped: %s", rep.Skipped)
	}
	if len(rep.Points) != 2 || rep.Points[0].Warm.Messages != 3 || rep.Points[1].Warm.Messages != 3 {
		t.Fatalf("%+v", rep.Points)
	}
	// Init is CPU-bound: at 128 MB (7% of a core) it cannot be as quick as
	// at 1024 MB (58%).
	if small, large := rep.Points[0].Init, rep.Points[1].Init; small <= large {
		t.Errorf("init %v at 128 MB, %v at 1024 MB: the quota did not hold the smaller size back", small, large)
	}
	var md bytes.Buffer
	rep.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "| 128 MB | 7.2% |") {
		t.Fatalf("report:\n%s", md.String())
	}
}
