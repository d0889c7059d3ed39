package dynalite

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestUnavailableWithoutPackage ensures a directory without the npm package is reported as ErrUnavailable (what makes tests skip or fail in CI), not a crash.
func TestUnavailableWithoutPackage(t *testing.T) {
	_, err := StartServer(context.Background(), t.TempDir(), nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err %v, want ErrUnavailable", err)
	}
}

// TestServerStopsAtClose ensures Close ends the node process so no dynalite outlives its test.
func TestServerStopsAtClose(t *testing.T) {
	Start(t) // skips (or fails in CI) exactly as the store tests do
	s, err := StartServer(context.Background(), Dir(fixture.ModuleRoot(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.Endpoint, "http://")
	if c, err := net.Dial("tcp", addr); err != nil {
		t.Fatalf("not listening: %v", err)
	} else {
		c.Close()
	}
	s.Close()
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("still listening after Close")
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
