package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json). Build output
// comes with ImportPath ("pkg [pkg.test]") instead of Package, and a
// package that failed to build then fails with FailedBuild set.
type event struct {
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Output      string
	FailedBuild string
}

// key names a test within its package.
type key struct{ pkg, test string }

// Summary is what a `go test -json` stream reported.
type Summary struct {
	Passed, Skipped, Failed int
	// Skips are the skipped tests with the reason each gave (t.Skip's
	// message), so a skip can never hide unexplained.
	Skips []Skip
	// Failures are failed tests (or packages that failed to build or
	// failed outside any test) with their output, verbatim.
	Failures []Failure
	// Packages counts packages that ran tests.
	Packages int
}

// Skip is one skipped test and its reason.
type Skip struct{ Package, Test, Reason string }

// Failure is one failed test or package and everything it printed.
type Failure struct{ Package, Test, Output string }

// Read consumes a `go test -json` stream. Lines that are not JSON (a build
// error printed before the stream starts) count as a failure of their own,
// so they are never swallowed.
func Read(r io.Reader) (*Summary, error) {
	s := &Summary{}
	output := map[key]*strings.Builder{}
	var stray strings.Builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			stray.Write(line)
			stray.WriteByte('\n')
			continue
		}
		k := key{ev.Package, ev.Test}
		if ev.ImportPath != "" {
			k = key{ev.ImportPath, ""}
		}
		switch ev.Action {
		case "output", "build-output":
			if output[k] == nil {
				output[k] = &strings.Builder{}
			}
			output[k].WriteString(ev.Output)
		case "pass":
			if ev.Test != "" {
				s.Passed++
			} else {
				s.Packages++
			}
		case "skip":
			if ev.Test != "" {
				s.Skipped++
				s.Skips = append(s.Skips, Skip{ev.Package, ev.Test, skipReason(output[k])})
			}
		case "build-fail":
			s.Failures = append(s.Failures, Failure{ev.ImportPath, "", text(output[k])})
		case "fail":
			if ev.Test != "" {
				s.Failed++
			} else {
				s.Packages++
			}
			if ev.FailedBuild != "" {
				continue // its compiler output was reported at build-fail
			}
			s.Failures = append(s.Failures, Failure{ev.Package, ev.Test, text(output[k])})
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("testsummary: reading go test -json: %w", err)
	}
	if strings.TrimSpace(stray.String()) != "" {
		s.Failures = append(s.Failures, Failure{Test: "(output outside go test -json)", Output: stray.String()})
	}
	return s, nil
}

func text(b *strings.Builder) string {
	if b == nil {
		return ""
	}
	return b.String()
}

// skipReason is the message a test gave to t.Skip: its output without the
// "=== RUN"/"--- SKIP" framing and the file:line prefix.
func skipReason(b *strings.Builder) string {
	var reasons []string
	for _, line := range strings.Split(text(b), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		if _, after, ok := strings.Cut(t, ".go:"); ok {
			if _, msg, ok := strings.Cut(after, ": "); ok {
				t = msg
			}
		}
		reasons = append(reasons, t)
	}
	if len(reasons) == 0 {
		return "(no reason given)"
	}
	return strings.Join(reasons, " ")
}

// OK reports whether nothing failed.
func (s *Summary) OK() bool { return len(s.Failures) == 0 }

// Write prints the failures verbatim, then the skips with their reasons,
// then one line of counts.
func (s *Summary) Write(w io.Writer) {
	for _, f := range s.Failures {
		name := f.Package
		if f.Test != "" {
			name = strings.TrimSpace(f.Package + " " + f.Test)
		}
		fmt.Fprintf(w, "\n=== FAIL %s\n%s", name, f.Output)
	}
	sort.Slice(s.Skips, func(i, j int) bool {
		a, b := s.Skips[i], s.Skips[j]
		return a.Package+" "+a.Test < b.Package+" "+b.Test
	})
	if len(s.Skips) > 0 {
		fmt.Fprintf(w, "\nskipped:\n")
		for _, sk := range s.Skips {
			fmt.Fprintf(w, "  %s %s: %s\n", sk.Package, sk.Test, sk.Reason)
		}
	}
	verdict := "ok"
	if !s.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\n%s: %d passed, %d skipped, %d failed (tests and subtests, %d packages)\n",
		verdict, s.Passed, s.Skipped, s.Failed, s.Packages)
}
