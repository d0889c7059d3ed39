package setupcli_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// TestDispatch ensures help lists every subcommand, and an empty or unknown command line exits 2 with the usage.
func TestDispatch(t *testing.T) {
	r := newRig(t)
	res := r.run(t, "", "help")
	for _, sub := range []string{"credentials put NAME", "credentials verify NAME", "oauth login NAME", "send --endpoint URL"} {
		if res.code != setupcli.ExitOK || !strings.Contains(res.stdout, sub) {
			t.Errorf("help lacks %q (exit %d)", sub, res.code)
		}
	}
	for _, args := range [][]string{{}, {"frobnicate"}, {"oauth", "logout"}} {
		var out, errOut strings.Builder
		code := setupcli.Run(t.Context(), args, setupcli.Env{Stdout: &out, Stderr: &errOut})
		if code != setupcli.ExitUsage || !strings.Contains(errOut.String(), "Usage:") {
			t.Errorf("%v: exit %d\n%s", args, code, errOut.String())
		}
	}
	if res := r.run(t, "", "credentials", "verify", "-h"); res.code != setupcli.ExitOK || !strings.Contains(res.stderr, "-smtp-host") {
		t.Errorf("-h: exit %d\n%s", res.code, res.stderr)
	}
}

// TestFlagsBeforeName ensures flags may come before the NAME as well as after it.
func TestFlagsBeforeName(t *testing.T) {
	r := newRig(t)
	res := r.run(t, fixture.Password, "credentials", "put", "--user", fixture.User, "--prefix", "team/", "desk")
	if _, ok := r.secrets.Get("team/desk"); res.code != setupcli.ExitOK || !ok {
		t.Fatalf("exit %d:\n%s", res.code, res.output())
	}
}
