package setupcli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

const spacedPassword = "abcd efgh ijkl mnop" // fixture.Password as Google shows it

// TestPutStoresVerifiedPassword ensures a piped app password is verified by an SMTP login that sends nothing, then stored with its key and tags, and the ARN printed.
func TestPutStoresVerifiedPassword(t *testing.T) {
	r := newRig(t)
	res := r.run(t, spacedPassword+"\n", "credentials", "put", "desk", "--user", fixture.User, "--kms-key-id", "alias/mail", "--tag", "team=support", "--tag", "env=test")
	if res.code != setupcli.ExitOK {
		t.Fatalf("exit %d:\n%s", res.code, res.output())
	}
	sec, ok := r.secrets.Get("gmailsend/desk")
	if !ok || strings.TrimSpace(res.stdout) != sec.ARN {
		t.Fatalf("stdout %q, secret %+v", res.stdout, sec)
	}
	stored, err := credential.ParseSecret("desk", []byte(sec.Value))
	if err != nil || stored.User != fixture.User || stored.Password != fixture.Password {
		t.Fatalf("stored %+v %v", stored, err)
	}
	if sec.KMSKeyID != "alias/mail" || sec.Tags["team"] != "support" || sec.Tags["env"] != "test" {
		t.Fatalf("key and tags: %+v", sec)
	}
	auths := r.smtp.AuthAttempts()
	if len(auths) != 1 || !auths[0].OK || !auths[0].TLS || r.smtp.Stats().Mails != 0 {
		t.Fatalf("login check: %+v, %+v", auths, r.smtp.Stats())
	}
	noSecretIn(t, res, fixture.Password, spacedPassword)
}

// TestPutWrongPasswordStoresNothing ensures a refused password is reported with the function's code and the documented advice (docs/credentials.md, Troubleshooting), and no secret exists afterwards.
func TestPutWrongPasswordStoresNothing(t *testing.T) {
	r := newRig(t)
	const wrong = "zzzz yyyy xxxx wwww"
	res := r.run(t, wrong+"\n", "credentials", "put", "desk", "--user", fixture.User)
	if res.code != setupcli.ExitFailed {
		t.Fatalf("exit %d:\n%s", res.code, res.output())
	}
	for _, want := range []string{"smtp_auth_failed", "nothing was stored", "server said: 535 5.7.8", "what to do:  use an app password"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if _, ok := r.secrets.Get("gmailsend/desk"); ok {
		t.Fatal("a wrong password was stored")
	}
	noSecretIn(t, res, wrong, strings.ReplaceAll(wrong, " ", ""))
}

// TestPutUpdatesExisting ensures put on an existing name writes a new version of the same secret (PutSecretValue).
func TestPutUpdatesExisting(t *testing.T) {
	r := newRig(t)
	r.secrets.Put("gmailsend/desk", `{"user":"sender@gmail.com","password":"oldoldoldoldoldo"}`)
	before, _ := r.secrets.Get("gmailsend/desk")
	res := r.run(t, fixture.Password, "credentials", "put", "desk", "--user", fixture.User)
	after, _ := r.secrets.Get("gmailsend/desk")
	if res.code != setupcli.ExitOK || !strings.Contains(res.stderr, "updated") || after.ARN != before.ARN || after.Versions != 2 ||
		!strings.Contains(after.Value, fixture.Password) {
		t.Fatalf("exit %d, %+v:\n%s", res.code, after, res.output())
	}
}

// TestVerifyAppPasswordAndOAuth ensures verify logs in with a stored app password and with a stored OAuth credential (refreshed at its token endpoint, XOAUTH2).
func TestVerifyAppPasswordAndOAuth(t *testing.T) {
	r := newRig(t)
	r.secrets.Put("gmailsend/desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, spacedPassword))
	res := r.run(t, "", "credentials", "verify", "desk")
	if res.code != setupcli.ExitOK || !strings.Contains(res.stdout, "ok: gmailsend/desk logs in") || !strings.Contains(res.stdout, "app password") {
		t.Fatalf("app password: exit %d:\n%s", res.code, res.output())
	}
	r.oauth.Register(devoauth.Client{ID: "cid", Secret: "csecret", RefreshToken: "1//refresh", User: oauthUser})
	r.secrets.Put("gmailsend/oauth-desk", fmt.Sprintf(`{"user":%q,"oauth":{"clientId":"cid","clientSecret":"csecret","refreshToken":"1//refresh","tokenEndpoint":%q}}`, oauthUser, r.oauth.URL))
	res = r.run(t, "", "credentials", "verify", "oauth-desk")
	if res.code != setupcli.ExitOK || !strings.Contains(res.stdout, "as "+oauthUser+" with its OAuth") {
		t.Fatalf("oauth: exit %d:\n%s", res.code, res.output())
	}
	if a := r.smtp.AuthAttempts(); len(a) != 2 || a[1].Mechanism != "XOAUTH2" || !a[1].OK || r.smtp.Stats().Mails != 0 {
		t.Fatalf("auth attempts %+v", a)
	}
	noSecretIn(t, res, "csecret", "1//refresh", fixture.Password)
}

// TestVerifyFailures ensures a missing credential, a revoked refresh token and a rotated-away password each fail with the function's code.
func TestVerifyFailures(t *testing.T) {
	r := newRig(t)
	res := r.run(t, "", "credentials", "verify", "nobody")
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "credential_not_found") {
		t.Fatalf("missing: exit %d:\n%s", res.code, res.output())
	}
	r.oauth.Register(devoauth.Client{ID: "cid", Secret: "csecret", RefreshToken: "1//gone", User: oauthUser})
	r.oauth.Revoke("1//gone")
	r.secrets.Put("gmailsend/revoked", fmt.Sprintf(`{"user":%q,"oauth":{"clientId":"cid","clientSecret":"csecret","refreshToken":"1//gone","tokenEndpoint":%q}}`, oauthUser, r.oauth.URL))
	res = r.run(t, "", "credentials", "verify", "revoked")
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "oauth_refresh_failed") || !strings.Contains(res.stderr, "gmailsend oauth login NAME") {
		t.Fatalf("revoked: exit %d:\n%s", res.code, res.output())
	}
	r.secrets.Put("gmailsend/stale", fmt.Sprintf(`{"user":%q,"password":"oldoldoldoldoldo"}`, fixture.User))
	res = r.run(t, "", "credentials", "verify", "stale")
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "smtp_auth_failed") {
		t.Fatalf("stale: exit %d:\n%s", res.code, res.output())
	}
	noSecretIn(t, res, "oldoldoldoldoldo")
}

// TestUsageErrors ensures a wrong command line exits 2 with a message naming what is missing, before any password is read.
func TestUsageErrors(t *testing.T) {
	r := newRig(t)
	cases := map[string][]string{
		"--user ADDRESS is required": {"credentials", "put", "desk"},
		"expected one credential":    {"credentials", "put", "--user", fixture.User},
		"may hold only":              {"credentials", "put", "a b", "--user", fixture.User},
		"must not start with":        {"credentials", "verify", "../other"},
		"--client-secret-file":       {"oauth", "login", "desk"},
		"unknown command":            {"credentials", "delete", "desk"},
		"want key=value":             {"credentials", "put", "desk", "--user", fixture.User, "--tag", "novalue"},
		"is not a valid email":       {"credentials", "put", "desk", "--user", "not-an-address"},
	}
	for want, args := range cases {
		res := r.run(t, fixture.Password, args...)
		if res.code != setupcli.ExitUsage || !strings.Contains(res.stderr, want) {
			t.Errorf("%v: exit %d, want %q in:\n%s", args, res.code, want, res.stderr)
		}
	}
	if n := len(r.smtp.AuthAttempts()); n != 0 {
		t.Fatalf("%d logins on bad command lines", n)
	}
}

// TestPutRefusesAnotherAccount ensures put over a stored credential of another account stops before the password is read, unless --replace says so.
func TestPutRefusesAnotherAccount(t *testing.T) {
	r := newRig(t)
	r.secrets.Put("gmailsend/desk", `{"user":"someone.else@gmail.com","password":"oldoldoldoldoldo"}`)
	res := r.run(t, fixture.Password, "credentials", "put", "desk", "--user", fixture.User)
	if sec, _ := r.secrets.Get("gmailsend/desk"); res.code != setupcli.ExitFailed || sec.Versions != 1 ||
		!strings.Contains(res.stderr, "holds the credential of someone.else@gmail.com") || !strings.Contains(res.stderr, "--replace") {
		t.Fatalf("exit %d, %+v:\n%s", res.code, sec, res.output())
	}
	if n := len(r.smtp.AuthAttempts()); n != 0 {
		t.Fatalf("%d logins before the refusal", n)
	}
	res = r.run(t, fixture.Password, "credentials", "put", "desk", "--user", fixture.User, "--replace")
	if sec, _ := r.secrets.Get("gmailsend/desk"); res.code != setupcli.ExitOK || sec.Versions != 2 || !strings.Contains(res.stderr, "it held the credential of someone.else@gmail.com") {
		t.Fatalf("--replace: exit %d, %+v:\n%s", res.code, sec, res.output())
	}
}
