package devstack

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/dev/fixture"
)

// TestBuildShowsProgress ensures a build that takes a while prints "still building" lines to the progress writer and still produces the binary.
func TestBuildShowsProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	defer func(d time.Duration) { heartbeat = d }(heartbeat)
	heartbeat = 20 * time.Millisecond
	progress := new(fixture.SyncBuffer)
	path, err := BuildBootstrapWithProgress(fixture.ModuleRoot(t), t.TempDir(), progress)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("no binary: %v", err)
	}
	if !strings.Contains(progress.String(), "  still building (") {
		t.Fatalf("no progress shown:\n%s", progress)
	}
}

// TestLineWriterKeepsLinesWhole ensures partial writes come out as whole prefixed lines.
func TestLineWriterKeepsLinesWhole(t *testing.T) {
	var out strings.Builder
	lw := &lineWriter{w: &out, prefix: "> "}
	for _, chunk := range []string{"go: down", "loading a v1\r\ngo: downloading", " b v2\n"} {
		_, _ = lw.Write([]byte(chunk))
	}
	lw.Line("still building")
	if want := "> go: downloading a v1\n> go: downloading b v2\n> still building\n"; out.String() != want {
		t.Fatalf("%q", out.String())
	}
}
