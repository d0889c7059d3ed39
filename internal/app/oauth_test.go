package app_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

const (
	oauthUser    = "oauth@gmail.com"
	refreshToken = "1//test-refresh-token-SECRET"
	clientSecret = "test-client-secret-SECRET"
)

const oauthRequest = `{"credential":"oauth-desk","toEmail":"kim@example.com","subject":"OAuth","message":"<p>hi</p>"}`

// TestOAuthTokenCachedAcrossSends ensures one token request serves every following send.
func TestOAuthTokenCachedAcrossSends(t *testing.T) {
	h := newHarness(t, setup{OAuth: &devoauth.Client{}})
	for i := 0; i < 3; i++ {
		if _, err := h.invoke(t, []byte(oauthRequest)); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.tokens.Requests(); n != 1 {
		t.Fatalf("%d token requests for 3 sends", n)
	}
	msgs := h.srv.Messages()
	auths := h.srv.AuthAttempts()
	if len(msgs) != 3 || msgs[0].User != oauthUser || auths[0].Mechanism != "XOAUTH2" || !auths[0].TLS {
		t.Fatalf("messages %d auths %+v", len(msgs), auths)
	}
}

// TestOAuthExpiredTokenRefreshedOnce ensures a token the server rejects is refreshed once and the send succeeds.
func TestOAuthExpiredTokenRefreshedOnce(t *testing.T) {
	h := newHarness(t, setup{OAuth: &devoauth.Client{}})
	if _, err := h.invoke(t, []byte(oauthRequest)); err != nil {
		t.Fatal(err)
	}
	h.app.Close() // drop the authenticated session so the next send authenticates again
	h.tokens.ExpireAll()
	if _, err := h.invoke(t, []byte(oauthRequest)); err != nil {
		t.Fatalf("expired token was not refreshed: %v", err)
	}
	if n := h.tokens.Requests(); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}
	if n := len(h.srv.Messages()); n != 2 {
		t.Fatalf("%d messages", n)
	}
}

// TestOAuthRevokedRefreshToken ensures invalid_grant becomes oauth_refresh_failed with Google's 7-day hint.
func TestOAuthRevokedRefreshToken(t *testing.T) {
	h := newHarness(t, setup{OAuth: &devoauth.Client{}})
	h.tokens.Revoke(refreshToken)
	_, err := h.invoke(t, []byte(oauthRequest))
	if functionErrorType(err) != "oauth_refresh_failed" || !strings.Contains(err.Error(), "7 days") {
		t.Fatalf("got %v", err)
	}
	if len(h.srv.AuthAttempts()) != 0 {
		t.Fatal("an SMTP AUTH was attempted without a token")
	}
}

// TestOAuthMissingScope ensures a token without https://mail.google.com/ is smtp_auth_failed saying so.
func TestOAuthMissingScope(t *testing.T) {
	h := newHarness(t, setup{OAuth: &devoauth.Client{NoGmailScope: true}})
	_, err := h.invoke(t, []byte(oauthRequest))
	if functionErrorType(err) != "smtp_auth_failed" || !strings.Contains(err.Error(), "https://mail.google.com/") {
		t.Fatalf("got %v", err)
	}
}

// TestInlineAccessToken ensures a ready access token in the request sends with XOAUTH2.
func TestInlineAccessToken(t *testing.T) {
	h := newHarness(t, setup{OAuth: &devoauth.Client{}})
	if _, err := h.invoke(t, []byte(oauthRequest)); err != nil { // mints a token on the endpoint
		t.Fatal(err)
	}
	bad := `{"user":"oauth@gmail.com","accessToken":"ya29.not-a-real-token","toEmail":"kim@example.com","subject":"s","message":"m"}`
	if _, err := h.invoke(t, []byte(bad)); functionErrorType(err) != "smtp_auth_failed" {
		t.Fatalf("unknown token: %v", err)
	}
	refresh := `{"user":"oauth@gmail.com","refreshToken":"x","toEmail":"kim@example.com","subject":"s","message":"m"}`
	if _, err := h.invoke(t, []byte(refresh)); functionErrorType(err) != "invalid_request" {
		t.Fatalf("a refresh token in a request must be refused: %v", err)
	}
	if strings.Contains(h.log.String(), "ya29.") || strings.Contains(h.log.String(), "SECRET") {
		t.Fatalf("token in logs:\n%s", h.log.String())
	}
}

// TestXOAUTH2NeverBeforeTLS ensures a plaintext server offering XOAUTH2 gets no AUTH at all.
func TestXOAUTH2NeverBeforeTLS(t *testing.T) {
	srv, err := devsmtp.Start(devsmtp.Options{AllowInsecureAuth: true, TokenStatus: func(string, string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := app.Defaults()
	cfg.SMTPHost, cfg.SMTPPort = "127.0.0.1", srv.Port
	a, err := app.Build(cfg, app.Parts{Log: fixture.LogSink()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, err = a.Handler.Invoke(invokeCtx(t), []byte(`{"user":"oauth@gmail.com","accessToken":"ya29.tok","toEmail":"kim@example.com","subject":"s","message":"m"}`))
	if functionErrorType(err) != "tls_required" || len(srv.AuthAttempts()) != 0 {
		t.Fatalf("%v, %d auth attempts", err, len(srv.AuthAttempts()))
	}
}
