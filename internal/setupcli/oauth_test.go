package setupcli_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

const desktopSecret = "GOCSPX-desktop-secret"

// clientSecretFile writes the JSON Google Cloud Console downloads for a
// Desktop-app client, with the rig's local endpoints.
func (r *rig) clientSecretFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "client_secret.json")
	raw := fmt.Sprintf(`{"installed":{"client_id":"desktop.apps.googleusercontent.com","project_id":"gmailsend-test","auth_uri":%q,"token_uri":%q,
"auth_provider_x509_cert_url":"https://www.googleapis.com/oauth2/v1/certs","client_secret":%q,"redirect_uris":["http://localhost"]}}`, r.oauth.AuthURL, r.oauth.URL, desktopSecret)
	if err := os.WriteFile(p, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOAuthLoginStoresRefreshToken ensures the browser flow learns the account, proves the token with XOAUTH2, stores the credential the function reads, and verify then passes.
func TestOAuthLoginStoresRefreshToken(t *testing.T) {
	r := newRig(t)
	res := r.run(t, "", "oauth", "login", "oauth-desk", "--client-secret-file", r.clientSecretFile(t))
	if res.code != setupcli.ExitOK {
		t.Fatalf("exit %d:\n%s", res.code, res.output())
	}
	for _, want := range []string{`"Testing"`, "7 days", "Open this URL", r.oauth.AuthURL + "?", "logged in to localhost", "with XOAUTH2", "created secret gmailsend/oauth-desk"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	sec, _ := r.secrets.Get("gmailsend/oauth-desk")
	stored, err := credential.ParseSecret("oauth-desk", []byte(sec.Value))
	if err != nil || stored.User != oauthUser || stored.OAuth.ClientID != "desktop.apps.googleusercontent.com" ||
		stored.OAuth.ClientSecret != desktopSecret || stored.OAuth.TokenEndpoint != r.oauth.URL || !strings.HasPrefix(stored.OAuth.RefreshToken, "1//") {
		t.Fatalf("stored %+v %v", stored, err)
	}
	if strings.TrimSpace(res.stdout) != sec.ARN {
		t.Fatalf("stdout %q, ARN %s", res.stdout, sec.ARN)
	}
	noSecretIn(t, res, desktopSecret, stored.OAuth.RefreshToken)
	verify := r.run(t, "", "credentials", "verify", "oauth-desk")
	if verify.code != setupcli.ExitOK || !strings.Contains(verify.stdout, "OAuth") {
		t.Fatalf("verify: exit %d:\n%s", verify.code, verify.output())
	}
	if r.smtp.Stats().Mails != 0 {
		t.Fatal("mail was sent")
	}
}

// TestOAuthLoginRefusals ensures a forged state, a code redeemed with a wrong PKCE verifier, and a token for another account all end with nothing stored.
func TestOAuthLoginRefusals(t *testing.T) {
	cases := []struct {
		name   string
		user   string
		browse func(t *testing.T, r *rig, consentURL string)
		want   []string
	}{
		{"forged state", "", func(t *testing.T, _ *rig, u string) {
			loc, err := devoauth.Authorize(u)
			if err != nil {
				t.Error(err)
				return
			}
			q := loc.Query()
			q.Set("state", "forged")
			loc.RawQuery = q.Encode()
			_, _, _ = devoauth.Follow(loc)
		}, []string{"forbidden", "state mismatch", "nothing was stored"}},
		{"wrong PKCE verifier", "", func(t *testing.T, r *rig, u string) {
			loc, err := devoauth.Authorize(u)
			if err != nil {
				t.Error(err)
				return
			}
			// Someone who saw the redirect tries the code first, without
			// this run's verifier: refused, and the code is spent.
			consent, _ := url.Parse(u)
			thief := oauth2.Config{ClientID: "desktop.apps.googleusercontent.com", ClientSecret: desktopSecret, RedirectURL: consent.Query().Get("redirect_uri"),
				Endpoint: oauth2.Endpoint{TokenURL: r.oauth.URL, AuthStyle: oauth2.AuthStyleInParams}}
			if _, err := thief.Exchange(t.Context(), loc.Query().Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
				t.Error("a wrong verifier was accepted")
			}
			_, _, _ = devoauth.Follow(loc)
		}, []string{"oauth_refresh_failed", "PKCE", "nothing was stored"}},
		{"another account", "other@example.com", nil, []string{"smtp_auth_failed", "nothing was stored"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			if c.browse != nil {
				r.browse = func(u string) { c.browse(t, r, u) }
			}
			args := []string{"oauth", "login", "oauth-desk", "--client-secret-file", r.clientSecretFile(t)}
			if c.user != "" {
				args = append(args, "--user", c.user)
			}
			res := r.run(t, "", args...)
			if res.code != setupcli.ExitFailed {
				t.Fatalf("exit %d:\n%s", res.code, res.output())
			}
			for _, want := range c.want {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
			if _, ok := r.secrets.Get("gmailsend/oauth-desk"); ok {
				t.Fatal("a credential was stored")
			}
		})
	}
}
