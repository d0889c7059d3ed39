package dynalite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// ErrUnavailable says dynalite cannot run here: node is not on PATH or the
// npm package is not installed (run `npm ci` in this directory, as the
// Makefile does).
var ErrUnavailable = errors.New("dynalite: unavailable")

// Server is a running dynalite process.
type Server struct {
	// Endpoint is its URL, e.g. http://127.0.0.1:41234, for
	// AWS_ENDPOINT_URL_DYNAMODB or the SDK's BaseEndpoint.
	Endpoint string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// Script is where `npm ci` in dir installs dynalite's command.
func Script(dir string) string {
	return filepath.Join(dir, "node_modules", "dynalite", "cli.js")
}

// Dir is this package's directory (package.json, node_modules) in the
// repository rooted at root.
func Dir(root string) string {
	return filepath.Join(root, "dev", "dynalite")
}

// Available reports why dynalite cannot start from dir, or nil.
func Available(dir string) error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("%w: node is not on PATH", ErrUnavailable)
	}
	if _, err := os.Stat(Script(dir)); err != nil {
		return fmt.Errorf("%w: %s is missing; run `npm ci` in %s (make test does)", ErrUnavailable, Script(dir), dir)
	}
	return nil
}

// StartServer launches dynalite from dir on a free loopback port, in
// memory, with tables active at once (--createTableMs 0), and waits until
// it accepts connections. Its output goes to log (may be nil).
func StartServer(ctx context.Context, dir string, log io.Writer) (*Server, error) {
	if err := Available(dir); err != nil {
		return nil, err
	}
	var lastErr error
	// The port is free when chosen and taken by node a moment later;
	// another process may win it in between, so try a few.
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := launch(ctx, dir, port, log)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func launch(ctx context.Context, dir string, port int, log io.Writer) (*Server, error) {
	cmd := exec.Command("node", Script(dir), "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--createTableMs", "0")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dynalite: starting node: %w", err)
	}
	s := &Server{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("dynalite: exited before listening on %s", addr)
		case <-ctx.Done():
			s.Close()
			return nil, fmt.Errorf("dynalite: %w", ctx.Err())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return s, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	s.Close()
	return nil, fmt.Errorf("dynalite: not listening on %s after 15s", addr)
}

// Close stops the process and waits for it.
func (s *Server) Close() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("dynalite: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
