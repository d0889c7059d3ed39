package devsmtp

import (
	"testing"
	"time"
)

// TestCloseRightAfterStart ensures Close returns even when it wins the race with the serving goroutine.
func TestCloseRightAfterStart(t *testing.T) {
	for i := 0; i < 200; i++ {
		s, err := Start(Options{})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { s.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Close hung on iteration %d", i)
		}
	}
}
