package devsmtp

import (
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// TestSaveEMLNeverOverwrites ensures two servers saving in the same second (each counting from 1) keep every message in its own file.
func TestSaveEMLNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 22, 23, 45, 13, 0, time.UTC)
	var a, b atomic.Int64 // two processes' counters, both starting at 1
	paths := map[string]string{}
	for i, body := range []string{"first", "second", "third", "fourth"} {
		next := a.Add
		if i%2 == 1 {
			next = b.Add
		}
		p, err := saveEML(dir, []byte(body), now, func() int64 { return next(1) })
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := paths[p]; dup {
			t.Fatalf("%s reused (held %q)", p, prev)
		}
		paths[p] = body
	}
	for p, body := range paths {
		got, err := os.ReadFile(p)
		if err != nil || string(got) != body {
			t.Fatalf("%s holds %q, want %q (%v)", p, got, body, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Fatalf("%d files for 4 messages", len(entries))
	}
}
