// Command testsummary runs `go test -json` and prints what a person needs
// from it: every failing test's output verbatim, every skipped test with
// the reason it gave, and the pass/skip/fail counts. `make test` runs
// through it, so a skip is always visible and explained:
//
//	go run ./dev/testsummary -race -count=1 ./...
//
// The arguments go to `go test -json` unchanged. It exits non-zero when a
// test or build failed or `go test` itself did, so CI stays red on any
// failure; a progress line per package goes to stderr while tests run.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
)

func main() {
	os.Exit(run("", os.Args[1:], os.Stdout, os.Stderr))
}

// run runs `go test -json args…` in dir ("" for the current directory)
// and returns the exit code.
func run(dir string, args []string, stdout, stderr io.Writer) int {
	// go test's own stderr and the progress lines share the writer.
	stderr = &lockedWriter{w: stderr}
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Dir = dir
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	s, readErr := Read(io.TeeReader(out, &progress{w: stderr}))
	waitErr := cmd.Wait()
	s.Write(stdout)
	switch {
	case readErr != nil:
		fmt.Fprintln(stderr, readErr)
		return 1
	case !s.OK():
		return 1
	case waitErr != nil:
		// go test failed without a failure in the stream (e.g. a vet
		// error it printed to stderr above).
		fmt.Fprintln(stderr, "testsummary: go test:", waitErr)
		return 1
	}
	return 0
}

// progress prints one line per finished package, like plain `go test`,
// so a long run shows it is moving.
type progress struct {
	w    io.Writer
	line []byte
}

func (p *progress) Write(b []byte) (int, error) {
	p.line = append(p.line, b...)
	for {
		i := bytes.IndexByte(p.line, '\n')
		if i < 0 {
			return len(b), nil
		}
		var ev event
		if json.Unmarshal(p.line[:i], &ev) == nil && ev.Test == "" {
			switch ev.Action {
			case "pass":
				fmt.Fprintf(p.w, "ok    %s\n", ev.Package)
			case "fail":
				fmt.Fprintf(p.w, "FAIL  %s\n", ev.Package)
			}
		}
		p.line = p.line[i+1:]
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
