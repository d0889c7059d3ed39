package runtimeapi

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestKillEndsTheProcessAtOnce ensures Kill stops a process that ignores SIGTERM, without waiting, and reports it killed.
func TestKillEndsTheProcessAtOnce(t *testing.T) {
	script := filepath.Join(t.TempDir(), "bootstrap")
	// A stand-in bootstrap that asks for work once and then ignores SIGTERM.
	body := "#!/bin/sh\ntrap '' TERM\ncurl -s \"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next\" >/dev/null\nexec sleep 60\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	f, err := StartFunction(context.Background(), script, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	state := f.Kill()
	if took := time.Since(start); took > time.Second || state.Success() {
		t.Fatalf("kill took %v, state %v", took, state)
	}
	if f.Stop() != state {
		t.Fatal("Stop after Kill returned another state")
	}
}
