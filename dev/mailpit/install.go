package mailpit

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// Module is the Mailpit release built from the Go module proxy.
const Module = "github.com/axllent/mailpit@v1.33.1"

// Binary is where Install puts mailpit: the clone's own tool directory,
// never a global one.
func Binary(root string) string { return filepath.Join(root, ".local", "bin", "mailpit") }

// Install builds Mailpit from its module into Binary(root) unless it is
// there already; progress goes to log. The module carries the server and
// its API but not the web interface's JavaScript bundle (built with npm in
// Mailpit's own release process), so its start page is empty: the /view/
// and API pages Links prints work.
func Install(ctx context.Context, root string, log io.Writer) (string, error) {
	bin := Binary(root)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(log, "building Mailpit (%s) into %s…\n", Module, filepath.Dir(bin))
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	// Built beside, then renamed into place: two test binaries may install
	// at once, and writing over a mailpit the other already runs fails.
	tmp, err := os.MkdirTemp(filepath.Dir(bin), ".mailpit-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "go", "install", Module)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("mailpit: go install %s: %w", Module, err)
	}
	if err := os.Rename(filepath.Join(tmp, "mailpit"), bin); err != nil {
		return "", err
	}
	return bin, nil
}
