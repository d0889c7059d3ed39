package benchmark

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
)

// GmailsendData is gmailsend with CHUNKING switched off (SMTP_CHUNKING=false),
// so the DATA path is measured in the same run as the BDAT one.
const GmailsendData = "gmailsend (DATA)"

// BeforeName is the contender built from an earlier revision (Config.Before).
func BeforeName(rev string) string { return "gmailsend @" + rev }

// variant is one way to run the bootstrap: which binary, with which extra
// environment.
type variant struct {
	bootstrap string
	env       []string
}

// variant reports whether contender is a gmailsend bootstrap, and how to run it.
func (r *runner) variant(contender string) (variant, bool) {
	switch {
	case contender == Gmailsend:
		return variant{bootstrap: r.bootstrap}, true
	case contender == GmailsendData:
		return variant{bootstrap: r.bootstrap, env: []string{"SMTP_CHUNKING=false"}}, true
	case r.cfg.Before != "" && contender == BeforeName(r.cfg.Before):
		return variant{bootstrap: r.before}, true
	}
	return variant{}, false
}

// buildBefore builds the bootstrap of revision rev from `git archive`, so
// the working tree is left as it is, and returns its path.
func buildBefore(root, workDir, rev string) (string, error) {
	src := filepath.Join(workDir, "before-src")
	if err := os.RemoveAll(src); err != nil {
		return "", err
	}
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	archive := exec.Command("git", "archive", rev)
	archive.Dir = root
	var tarball, stderr bytes.Buffer
	archive.Stdout, archive.Stderr = &tarball, &stderr
	if err := archive.Run(); err != nil {
		return "", fmt.Errorf("benchmark: git archive %s: %v: %s", rev, err, stderr.String())
	}
	untar := exec.Command("tar", "-x", "-C", src)
	untar.Stdin, untar.Stderr = &tarball, &stderr
	if err := untar.Run(); err != nil {
		return "", fmt.Errorf("benchmark: unpacking %s: %v: %s", rev, err, stderr.String())
	}
	out := filepath.Join(workDir, "before")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	return devstack.BuildBootstrap(src, out)
}

// median of the cold starts' init times: on a shared machine one slow
// process start would move a mean a long way.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
