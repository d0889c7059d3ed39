package devstack

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// BuildBootstrap compiles functions/gmailsend for this machine into
// dir/bootstrap, with the flags the Lambda build uses (lambda.norpc,
// trimpath), and returns its path.
func BuildBootstrap(moduleRoot, dir string) (string, error) {
	return BuildBootstrapWithProgress(moduleRoot, dir, nil)
}

// heartbeat is how often a long build says it is still going.
var heartbeat = 10 * time.Second

// BuildBootstrapWithProgress is BuildBootstrap that tells progress what
// it is doing: go's own "downloading module" lines as they come, and a
// line every few seconds while it compiles, so a cold first build (a
// minute or more of downloads and compiling) never looks hung.
func BuildBootstrapWithProgress(moduleRoot, dir string, progress io.Writer) (string, error) {
	out := filepath.Join(dir, "bootstrap")
	return out, build(moduleRoot, "./functions/gmailsend", out, progress)
}

func build(moduleRoot, pkg, out string, progress io.Writer) error {
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var msg bytes.Buffer
	cmd.Stdout = &msg
	cmd.Stderr = &msg
	if progress != nil {
		lw := &lineWriter{w: progress, prefix: "  "}
		cmd.Stderr = io.MultiWriter(&msg, lw)
		done := make(chan struct{})
		defer close(done)
		go func(start time.Time) {
			t := time.NewTicker(heartbeat)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					lw.Line(fmt.Sprintf("still building (%s; the first build downloads and compiles the AWS SDK)…", time.Since(start).Round(time.Second)))
				}
			}
		}(time.Now())
	}
	if err := cmd.Run(); err != nil {
		if progress != nil { // go's message is already on the progress writer
			return fmt.Errorf("devstack: building %s: %v", pkg, err)
		}
		return fmt.Errorf("devstack: building %s: %v\n%s", pkg, err, msg.String())
	}
	return nil
}

// lineWriter writes whole lines with a prefix, safely from two goroutines.
type lineWriter struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  string
	partial []byte
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, b...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		fmt.Fprintf(l.w, "%s%s\n", l.prefix, strings.TrimRight(string(l.partial[:i]), "\r"))
		l.partial = l.partial[i+1:]
	}
}

// Line writes one whole line.
func (l *lineWriter) Line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s%s\n", l.prefix, s)
}
