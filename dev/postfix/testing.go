package postfix

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// StartTest starts Postfix for a test and stops it at cleanup. When it
// cannot run here (not root, not installable) the test is skipped with the
// reason, or fails under CI=true: CI runs as root and must test against
// the real server.
func StartTest(tb testing.TB, o Options) *Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a first install included
	defer cancel()
	s, err := Start(ctx, o)
	if errors.Is(err, ErrUnavailable) && os.Getenv("CI") == "" {
		tb.Skipf("Postfix tests skipped: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("stopping Postfix: %v", err)
		}
	})
	return s
}
