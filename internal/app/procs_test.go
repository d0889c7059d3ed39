package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/app"
)

// procsChildVar makes the test binary run procsChild instead of the
// suite (TestMain): OneProcAfterStart changes GOMAXPROCS for the whole
// process, so it is observed in a process of its own.
const procsChildVar = "GMAILSEND_PROCS_CHILD"

// procsChild builds an app, calls OneProcAfterStart and prints GOMAXPROCS
// before and after.
func procsChild() int {
	a, err := app.Build(app.Defaults(), app.Parts{})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	before := runtime.GOMAXPROCS(0)
	a.OneProcAfterStart()
	time.Sleep(100 * time.Millisecond) // time enough to switch, were it to switch before an invocation
	if n := runtime.GOMAXPROCS(0); n != before {
		fmt.Printf("changed to %d before the first invocation\n", n)
		return 1
	}
	_, _ = a.LambdaHandler().Invoke(context.Background(), []byte(`{}`)) // refused: no matter
	if os.Getenv("GOMAXPROCS") != "" || before == 1 {
		time.Sleep(300 * time.Millisecond) // time enough to switch, were it to switch
	} else {
		for deadline := time.Now().Add(10 * time.Second); runtime.GOMAXPROCS(0) == before && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}
	fmt.Printf("procs %d->%d\n", before, runtime.GOMAXPROCS(0))
	return 0
}

// TestOneProcAfterStart ensures the bootstrap runs on one P from its first
// invocation, not before, and leaves a GOMAXPROCS the operator set alone.
// The child's default GOMAXPROCS is its own (the runtime reads CPU quotas
// too), so the test reads it from the child.
func TestOneProcAfterStart(t *testing.T) {
	for set, want := range map[string]string{"": "->1", "2": "procs 2->2"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(withoutVar(os.Environ(), "GOMAXPROCS"), procsChildVar+"=1")
		if set != "" {
			cmd.Env = append(cmd.Env, "GOMAXPROCS="+set)
		}
		out, err := cmd.CombinedOutput()
		if set == "" && strings.Contains(string(out), "procs 1->") {
			t.Skip("the child's default GOMAXPROCS is 1 already (one CPU or a CPU quota)")
		}
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("GOMAXPROCS=%q: %v: %s, want %q", set, err, out, want)
		}
	}
}

func withoutVar(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
