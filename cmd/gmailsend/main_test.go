package main_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/devsecrets"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// bin is the command compiled as `go install` would, once for the tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gmailsend-cmd")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "gmailsend")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// awsEnv is a clean environment whose AWS configuration comes only from
// the variables given (no shared files, no instance metadata).
func awsEnv(t *testing.T, vars ...string) []string {
	t.Helper()
	dir := t.TempDir()
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + filepath.Join(dir, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"), "AWS_EC2_METADATA_DISABLED=true"}
	return append(env, vars...)
}

// TestBinaryUsesStandardAWSChain ensures the installed binary stores a piped, verified password through the AWS SDK's standard configuration (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_REGION, keys), and refuses to start without a region before asking for a password.
func TestBinaryUsesStandardAWSChain(t *testing.T) {
	srv, caFile := fixture.StartSMTP(t, devsmtp.Options{})
	sm := devsecrets.Start()
	defer sm.Close()
	args := []string{"credentials", "put", "desk", "--user", fixture.User,
		"--smtp-host", "localhost", "--smtp-port", strconv.Itoa(srv.Port), "--ca-file", caFile, "--prefix", "team/"}

	cmd := exec.Command(bin, args...)
	cmd.Env = awsEnv(t, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER="+sm.URL)
	cmd.Stdin = strings.NewReader(fixture.Password + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	sec, ok := sm.Get("team/desk")
	if !ok || strings.TrimSpace(stdout.String()) != sec.ARN || strings.Contains(stdout.String()+stderr.String(), fixture.Password) {
		t.Fatalf("stored %v, stdout %q, stderr %q", ok, stdout.String(), stderr.String())
	}

	noRegion := exec.Command(bin, args...)
	noRegion.Env = awsEnv(t, "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_ENDPOINT_URL_SECRETS_MANAGER="+sm.URL)
	noRegion.Stdin = strings.NewReader(fixture.Password + "\n")
	out, err := noRegion.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "no AWS region") {
		t.Fatalf("without a region: %v\n%s", err, out)
	}
	if n := len(srv.AuthAttempts()); n != 1 {
		t.Fatalf("%d logins; the run without a region must not log in", n)
	}
}

// TestNoCredentialsIsNamed ensures a run without AWS credentials says so, with the fix, before a password is read or a login made — not secrets_unavailable, "may pass if tried again later", as an unreachable endpoint would be — and prints no SDK warning about EC2 metadata.
func TestNoCredentialsIsNamed(t *testing.T) {
	srv, caFile := fixture.StartSMTP(t, devsmtp.Options{})
	cmd := exec.Command(bin, "credentials", "put", "desk", "--user", fixture.User,
		"--smtp-host", "localhost", "--smtp-port", strconv.Itoa(srv.Port), "--ca-file", caFile)
	cmd.Env = awsEnv(t, "AWS_REGION=us-east-1")
	cmd.Stdin = strings.NewReader(fixture.Password + "\n")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "no AWS credentials found: run aws configure") ||
		strings.Contains(string(out), "secrets_unavailable") || strings.Contains(string(out), "tried again later") || strings.Contains(string(out), "SDK ") {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := len(srv.AuthAttempts()); n != 0 {
		t.Fatalf("%d logins before the missing credentials were found", n)
	}
}

// TestHelp ensures help lists every subcommand with the spellings README uses.
func TestHelp(t *testing.T) {
	out, err := exec.Command(bin, "help").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"gmailsend credentials put NAME --user ADDRESS [--replace] [--kms-key-id K] [--tag k=v]", "gmailsend credentials verify NAME",
		"gmailsend oauth login NAME --client-secret-file FILE [--user ADDRESS]", "gmailsend send --endpoint URL --api-key KEY [--credential NAME] --to ADDRESS"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}
