package devstack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestBuildShowsProgress ensures a build that takes a while prints "still building" lines to the progress writer and still produces the binary.
func TestBuildShowsProgress(t *testing.T) {
	defer func(d time.Duration) { heartbeat = d }(heartbeat)
	heartbeat = time.Millisecond
	dir := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":  "module example.com/tiny\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() {}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	progress := new(fixture.SyncBuffer)
	out := filepath.Join(dir, "bootstrap")
	if err := build(dir, ".", out, progress); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("no binary: %v", err)
	}
	if !strings.Contains(progress.String(), "  still building (") {
		t.Fatalf("no progress shown:\n%s", progress)
	}
	// A failing build says what failed, with go's message.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { nope() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := build(dir, ".", out, nil); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("%v", err)
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
