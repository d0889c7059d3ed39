package setupcli_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/devsecrets"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// oauthUser is the account of the installed-app client: the development
// SMTP server accepts it only with the local token endpoint's tokens.
const oauthUser = "me@example.com"

// rig is the command against local stand-ins: the development SMTP server
// (STARTTLS, both test accounts, XOAUTH2 checked against the local token
// endpoint), the local Secrets Manager endpoint and the local OAuth
// endpoints with one registered Desktop-app client.
type rig struct {
	smtp    *devsmtp.Server
	caFile  string
	secrets *devsecrets.Server
	oauth   *devoauth.Server
	env     map[string]string
	// browse is the person at the browser when the command opens one;
	// nil: one who consents.
	browse func(consentURL string)
}

func newRig(t *testing.T) *rig { return newRigWith(t, nil) }

// newRigWith is a rig whose SMTP server knows users (address → password)
// instead of the two test accounts.
func newRigWith(t *testing.T, users map[string]string) *rig {
	t.Helper()
	r := &rig{secrets: devsecrets.Start(), oauth: devoauth.Start(time.Hour), env: map[string]string{}}
	t.Cleanup(r.secrets.Close)
	t.Cleanup(r.oauth.Close)
	r.oauth.RegisterApp(devoauth.App{ID: "desktop.apps.googleusercontent.com", Secret: "GOCSPX-desktop-secret", User: oauthUser})
	r.smtp, r.caFile = fixture.StartSMTP(t, devsmtp.Options{TokenStatus: r.oauth.TokenStatus, Users: users})
	return r
}

// result is what one run printed.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) output() string { return r.stdout + r.stderr }

// run runs the command with stdin and the rig's global flags appended.
func (r *rig) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var (
		out, errOut bytes.Buffer
		browsing    sync.WaitGroup // the scripted browser, finished before run returns
	)
	env := setupcli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return r.env[k] },
		Secrets: func(context.Context, *setupcli.Globals) (*secretsmanager.Client, error) {
			return r.secrets.Client(), nil
		},
		OpenBrowser: func(u string) error {
			browse := r.browse
			if browse == nil {
				browse = func(u string) {
					if err := devoauth.Consent(u); err != nil {
						t.Error(err)
					}
				}
			}
			browsing.Add(1)
			go func() {
				defer browsing.Done()
				browse(u)
			}()
			return nil
		},
	}
	if len(args) > 1 && (args[0] == "credentials" || args[0] == "oauth") && !strings.HasPrefix(args[1], "-") {
		args = append(args, "--smtp-host", "localhost", "--smtp-port", strconv.Itoa(r.smtp.Port), "--ca-file", r.caFile, "--timeout", "10s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := setupcli.Run(ctx, args, env)
	browsing.Wait()
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// noSecretIn fails the test if any of secrets appears in what was printed.
func noSecretIn(t *testing.T, res result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(res.output(), s) {
			t.Fatalf("output holds a secret (%.4s…):\n%s", s, res.output())
		}
	}
}
