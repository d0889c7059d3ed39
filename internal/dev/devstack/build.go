package devstack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildBootstrap compiles functions/gmailsend for this machine into
// dir/bootstrap, with the flags the Lambda build uses (lambda.norpc,
// trimpath), and returns its path.
func BuildBootstrap(moduleRoot, dir string) (string, error) {
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/gmailsend")
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("devstack: building bootstrap: %v\n%s", err, msg)
	}
	return out, nil
}
