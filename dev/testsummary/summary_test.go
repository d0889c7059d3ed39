package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// module writes a throwaway Go module whose tests pass, skip and fail as
// the files say, so the summariser reads a real `go test -json` stream.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/m\n\ngo 1.22\n"
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const mixed = `package m

import "testing"

func TestPasses(t *testing.T) {
	t.Run("sub", func(t *testing.T) {})
}

func TestSkips(t *testing.T) { t.Skip("needs the schema: set SAM_SCHEMA to enable") }

func TestFails(t *testing.T) {
	t.Log("context before the failure")
	t.Error("boom: want 1, got 2")
}
`

// TestSummaryOfAMixedRun ensures counts, each skip's reason and the failing test's output verbatim are printed, and the exit code is 1.
func TestSummaryOfAMixedRun(t *testing.T) {
	dir := module(t, map[string]string{"m_test.go": mixed})
	var out, errOut bytes.Buffer
	code := run(dir, []string{"-count=1", "./..."}, &out, &errOut)
	got := out.String()
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, got)
	}
	for _, want := range []string{
		"ok: ", // never printed on failure
	} {
		if strings.Contains(got, "\n"+want) {
			t.Errorf("printed %q on a failing run", want)
		}
	}
	for _, want := range []string{
		"=== FAIL example.com/m TestFails",
		"context before the failure",
		"boom: want 1, got 2",
		"example.com/m TestSkips: needs the schema: set SAM_SCHEMA to enable",
		"FAIL: 2 passed, 1 skipped, 1 failed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(errOut.String(), "FAIL  example.com/m") {
		t.Errorf("no progress line:\n%s", errOut.String())
	}
}

// TestSummaryOfAGreenRun ensures a run with only passes and skips exits 0 and says ok.
func TestSummaryOfAGreenRun(t *testing.T) {
	dir := module(t, map[string]string{"m_test.go": strings.Split(mixed, "func TestFails")[0]})
	var out, errOut bytes.Buffer
	if code := run(dir, []string{"-count=1", "./..."}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "ok: 2 passed, 1 skipped, 0 failed") {
		t.Fatalf("%s", out.String())
	}
}

// TestSummaryOfABuildFailure ensures a package that does not compile fails the run with the compiler's message shown.
func TestSummaryOfABuildFailure(t *testing.T) {
	dir := module(t, map[string]string{
		"m_test.go":   strings.Split(mixed, "func TestFails")[0],
		"b/b_test.go": "package b\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) { undefinedThing() }\n",
	})
	var out, errOut bytes.Buffer
	if code := run(dir, []string{"-count=1", "./..."}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "=== FAIL example.com/m/b [example.com/m/b.test]\n") || !strings.Contains(out.String(), "undefined: undefinedThing") {
		t.Fatalf("the compiler's message is not shown under the package:\n%s\n%s", out.String(), errOut.String())
	}
	if n := strings.Count(out.String(), "undefined: undefinedThing"); n != 1 {
		t.Fatalf("the compiler's message is shown %d times:\n%s", n, out.String())
	}
}
