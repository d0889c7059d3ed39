package setupcli_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
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

// TestHelpForEverySubcommand ensures "-h" and "help" work for every command and group, and each subcommand lists only the flags it uses (send: no SMTP or AWS flags).
func TestHelpForEverySubcommand(t *testing.T) {
	r := newRig(t)
	for _, args := range [][]string{{"credentials", "-h"}, {"oauth", "-h"}, {"help", "credentials"}, {"help", "oauth"}} {
		res := r.run(t, "", args...)
		if res.code != setupcli.ExitOK || !strings.Contains(res.stdout, "gmailsend "+args[len(args)-1]) && !strings.Contains(res.stdout, "gmailsend "+args[0]) ||
			strings.Contains(res.output(), "unknown command") {
			t.Errorf("%v: exit %d\n%s", args, res.code, res.output())
		}
	}
	for _, sub := range [][]string{{"send"}, {"credentials", "put"}, {"credentials", "verify"}, {"oauth", "login"}} {
		for _, args := range [][]string{append(append([]string{}, sub...), "-h"), append([]string{"help"}, sub...)} {
			res := r.run(t, "", args...)
			if res.code != setupcli.ExitOK || !strings.Contains(res.stderr, "Usage of gmailsend "+strings.Join(sub, " ")) {
				t.Errorf("%v: exit %d\n%s", args, res.code, res.output())
			}
			smtpFlags := strings.Contains(res.stderr, "-smtp-host") || strings.Contains(res.stderr, "-region") || strings.Contains(res.stderr, "-prefix")
			if smtpFlags != (sub[0] != "send") {
				t.Errorf("%v lists SMTP/AWS flags: %v\n%s", args, smtpFlags, res.stderr)
			}
		}
	}
	if res := r.run(t, "", "credentials"); res.code != setupcli.ExitUsage || !strings.Contains(res.stderr, "credentials needs a subcommand") {
		t.Errorf("credentials alone: exit %d\n%s", res.code, res.output())
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
