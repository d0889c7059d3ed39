package googleoauth

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/internal/credential"
)

func installedSetup(t *testing.T) (*devoauth.Server, InstalledClient) {
	t.Helper()
	srv := devoauth.Start(time.Hour)
	t.Cleanup(srv.Close)
	srv.RegisterApp(devoauth.App{ID: "desktop-id", Secret: "desktop-secret", User: "me@example.com"})
	return srv, InstalledClient{ClientID: "desktop-id", ClientSecret: "desktop-secret", AuthURL: srv.AuthURL, TokenURL: srv.URL}
}

// run starts the flow with browse as the person at the browser and returns
// its result once the browser is done too.
func run(t *testing.T, l *InstalledLogin, browse func(consentURL string)) (*Grant, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	l.Show = func(u string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			browse(u)
		}()
	}
	g, err := l.Run(ctx)
	wg.Wait()
	return g, err
}

// TestInstalledLoginLearnsAddress ensures the flow asks for offline Gmail access with PKCE and learns the account from the ID token.
func TestInstalledLoginLearnsAddress(t *testing.T) {
	srv, client := installedSetup(t)
	var consent *url.URL
	g, err := run(t, &InstalledLogin{Client: client}, func(u string) {
		consent, _ = url.Parse(u)
		if err := devoauth.Consent(u); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	q := consent.Query()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	if q.Get("access_type") != "offline" || q.Get("prompt") != "consent" || q.Get("code_challenge_method") != "S256" ||
		q.Get("scope") != "https://mail.google.com/ openid email" || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "0" || len(q.Get("state")) < 43 {
		t.Fatalf("consent URL: %s", consent)
	}
	if g.User != "me@example.com" || g.RefreshToken == "" || srv.TokenStatus("me@example.com", g.AccessToken) != "" {
		t.Fatalf("grant: %+v", g)
	}
	// The refresh token is what the function will use: it must refresh.
	tk := New()
	tk.DefaultTokenURL = srv.URL
	if _, err := tk.refresh(context.Background(), &credential.OAuth{ClientID: client.ClientID, ClientSecret: client.ClientSecret, RefreshToken: g.RefreshToken}); err != nil {
		t.Fatalf("refreshing with the new refresh token: %v", err)
	}
}

// TestInstalledLoginWithUser ensures a known account asks only for the Gmail scope and hints the account.
func TestInstalledLoginWithUser(t *testing.T) {
	_, client := installedSetup(t)
	var scope, hint string
	g, err := run(t, &InstalledLogin{Client: client, User: "me@example.com"}, func(u string) {
		p, _ := url.Parse(u)
		scope, hint = p.Query().Get("scope"), p.Query().Get("login_hint")
		_ = devoauth.Consent(u)
	})
	if err != nil || g.User != "me@example.com" || scope != GmailScope || hint != "me@example.com" {
		t.Fatalf("%+v %v scope=%q hint=%q", g, err, scope, hint)
	}
}

// TestInstalledLoginStateMismatch ensures a redirect carrying another state is refused and its code never exchanged.
func TestInstalledLoginStateMismatch(t *testing.T) {
	srv, client := installedSetup(t)
	var page string
	_, err := run(t, &InstalledLogin{Client: client}, func(u string) {
		loc, err := devoauth.Authorize(u)
		if err != nil {
			t.Error(err)
			return
		}
		q := loc.Query()
		q.Set("state", "forged")
		loc.RawQuery = q.Encode()
		_, page, _ = devoauth.Follow(loc)
	})
	if e := gmailsend.AsError(err); e == nil || e.Code != gmailsend.CodeForbidden || e.Field != "state" {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(page, "state mismatch") || srv.Requests() != 0 {
		t.Fatalf("page %q, %d token requests", page, srv.Requests())
	}
}

// TestInstalledLoginStolenCode ensures a code taken from the redirect cannot be redeemed without this run's PKCE verifier, and the run then fails cleanly.
func TestInstalledLoginStolenCode(t *testing.T) {
	_, client := installedSetup(t)
	var stolenErr error
	_, err := run(t, &InstalledLogin{Client: client}, func(u string) {
		loc, err := devoauth.Authorize(u)
		if err != nil {
			t.Error(err)
			return
		}
		// The client secret of a desktop app is not secret: the thief has it.
		p, _ := url.Parse(u)
		thief := oauth2.Config{ClientID: client.ClientID, ClientSecret: client.ClientSecret, RedirectURL: p.Query().Get("redirect_uri"),
			Endpoint: oauth2.Endpoint{TokenURL: client.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
		_, stolenErr = thief.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
		_, _, _ = devoauth.Follow(loc)
	})
	if stolenErr == nil {
		t.Fatal("a code was redeemed with a guessed verifier")
	}
	if gmailsend.CodeOf(err) != gmailsend.CodeOAuthRefreshFailed || !strings.Contains(err.Error(), "PKCE") {
		t.Fatalf("got %v", err)
	}
}

// TestInstalledLoginDeniedAndTimeout ensures a refused consent and a browser that never returns both end with a clear error.
func TestInstalledLoginDeniedAndTimeout(t *testing.T) {
	_, client := installedSetup(t)
	_, err := run(t, &InstalledLogin{Client: client}, func(u string) {
		loc, _ := devoauth.Authorize(u)
		q := url.Values{"error": {"access_denied"}, "state": {loc.Query().Get("state")}}
		loc.RawQuery = q.Encode()
		_, _, _ = devoauth.Follow(loc)
	})
	if gmailsend.CodeOf(err) != gmailsend.CodeOAuthRefreshFailed || !strings.Contains(err.Error(), "consent was refused") {
		t.Fatalf("denied: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = (&InstalledLogin{Client: client}).Run(ctx)
	if gmailsend.CodeOf(err) != gmailsend.CodeTimeout {
		t.Fatalf("timeout: %v", err)
	}
}
