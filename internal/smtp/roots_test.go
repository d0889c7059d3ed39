package smtp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

// TestRootsInBackgroundTrustTheCAFile ensures roots prepared in the background verify a server signed by the CA file, as LoadRootCAs does.
func TestRootsInBackgroundTrustTheCAFile(t *testing.T) {
	srv, _, caFile, err := devsmtp.StartLocal(devsmtp.Options{Users: map[string]string{testUser: testPassword}}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	roots, err := RootsInBackground(caFile)
	if err != nil || roots == nil {
		t.Fatalf("roots %v, err %v", roots != nil, err)
	}
	cfg := DefaultConfig()
	cfg.Host, cfg.Port, cfg.LazyRootCAs = "127.0.0.1", srv.Port, roots.Pool
	c := New(cfg)
	defer c.Close()
	if err := c.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 1 {
		t.Fatal("not delivered")
	}
	select {
	case <-roots.Done():
	default:
		t.Error("Done still open after the roots were used")
	}
}

// TestRootsInBackgroundWithoutAFile ensures the system roots are loaded in
// the background and Done closes, with Pool nil (TLS's own system roots).
func TestRootsInBackgroundWithoutAFile(t *testing.T) {
	roots, err := RootsInBackground("")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-roots.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the system roots were not loaded")
	}
	if roots.Pool() != nil {
		t.Error("Pool should be nil without a CA file")
	}
}

// TestRootsInBackgroundRefusesABadFile ensures a missing or PEM-less CA file is an error at once, not at the first send.
func TestRootsInBackgroundRefusesABadFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	_ = os.WriteFile(junk, []byte("not a certificate"), 0o644)
	for file, want := range map[string]string{filepath.Join(dir, "missing.pem"): "reading CA file", junk: "holds no PEM certificate"} {
		if _, err := RootsInBackground(file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error saying %q", file, err, want)
		}
	}
}
