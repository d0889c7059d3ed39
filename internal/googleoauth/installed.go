package googleoauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/gmailsend/gmailsend"
)

// InstalledLogin is the OAuth 2.0 flow for installed apps (RFC 8252): the
// consent page redirects to a one-shot HTTP listener on 127.0.0.1 with a
// random port, the code is bound to this run by PKCE (S256) and state, and
// access_type=offline with prompt=consent makes Google return a refresh
// token every time (not only on the first consent).
type InstalledLogin struct {
	Client InstalledClient
	// User is the account to sign in as, when known. Empty: the openid
	// and email scopes are asked as well, and the address is read from
	// the ID token.
	User string
	// Show receives the consent URL once the listener is ready; it prints
	// it and may open a browser. It must not block.
	Show func(consentURL string)
	// HTTPClient makes the token request; a 30-second-timeout client by
	// default.
	HTTPClient *http.Client
}

// Grant is what a completed login yields.
type Grant struct {
	User         string
	RefreshToken string
	AccessToken  string // fresh, for verifying the login at once
}

// callback is what the browser brought back to the listener.
type callback struct {
	code string
	err  error
}

// Run performs the flow; ctx bounds the whole wait for the user.
func (l *InstalledLogin) Run(ctx context.Context) (*Grant, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("googleoauth: listening for the redirect: %w", err)
	}
	scopes := []string{GmailScope}
	if l.User == "" {
		scopes = append(scopes, "openid", "email")
	}
	cfg := oauth2.Config{
		ClientID: l.Client.ClientID, ClientSecret: l.Client.ClientSecret,
		Endpoint:    oauth2.Endpoint{AuthURL: l.Client.AuthURL, TokenURL: l.Client.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: "http://" + ln.Addr().String() + "/",
		Scopes:      scopes,
	}
	state := randomState()
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.AccessTypeOffline, oauth2.SetAuthURLParam("prompt", "consent"), oauth2.S256ChallengeOption(verifier)}
	if l.User != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", l.User))
	}

	results := make(chan callback, 1)
	srv := &http.Server{Handler: redirectHandler(state, results), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if l.Show != nil {
		l.Show(cfg.AuthCodeURL(state, opts...))
	}

	var cb callback
	select {
	case cb = <-results:
	case <-ctx.Done():
		return nil, &gmailsend.Error{Code: gmailsend.CodeTimeout, Err: ctx.Err(), Message: "no answer came back from the browser in time; run the command again"}
	}
	if cb.err != nil {
		return nil, cb.err
	}
	hc := l.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), cb.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, classifyExchange(err)
	}
	return l.grant(tok)
}

// grant checks that the token response holds what a stored credential
// needs: a refresh token, the Gmail scope, and the account.
func (l *InstalledLogin) grant(tok *oauth2.Token) (*Grant, error) {
	if tok.RefreshToken == "" {
		return nil, gmailsend.Errorf(gmailsend.CodeOAuthRefreshFailed, "", "the token endpoint returned no refresh token; remove gmailsend's access at https://myaccount.google.com/permissions and run the command again")
	}
	if granted, ok := tok.Extra("scope").(string); ok && granted != "" && !strings.Contains(" "+granted+" ", " "+GmailScope+" ") {
		return nil, gmailsend.Errorf(gmailsend.CodeOAuthRefreshFailed, "", "the Gmail permission (%s) was not granted; run the command again and allow \"Read, compose, send and permanently delete all your email from Gmail\"", GmailScope)
	}
	g := &Grant{User: l.User, RefreshToken: tok.RefreshToken, AccessToken: tok.AccessToken}
	if g.User == "" {
		raw, _ := tok.Extra("id_token").(string)
		addr, err := idTokenEmail(raw, l.Client.ClientID)
		if err != nil {
			return nil, &gmailsend.Error{Code: gmailsend.CodeOAuthRefreshFailed, Err: err,
				Message: "could not learn the account's address from the login (" + err.Error() + "); pass --user"}
		}
		g.User = addr
	}
	return g, nil
}

// redirectHandler answers the browser's return to the loopback address.
// A response whose state is not this run's is refused and ends the flow:
// it was not started by this command (a forged or stale redirect), and its
// code must never be exchanged.
func redirectHandler(state string, results chan<- callback) http.Handler {
	deliver := func(cb callback) {
		select {
		case results <- cb:
		default: // the flow already has its answer
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/" || (q.Get("code") == "" && q.Get("error") == "") {
			http.NotFound(w, r) // favicon and the like
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, "gmailsend: this sign-in response does not belong to the running command (state mismatch); nothing was stored.")
			deliver(callback{err: gmailsend.Errorf(gmailsend.CodeForbidden, "state", "the browser returned a response for another sign-in (state mismatch); nothing was stored, run the command again")})
			return
		}
		if e := q.Get("error"); e != "" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintln(w, "gmailsend: sign-in did not complete ("+e+"). You can close this window.")
			deliver(callback{err: gmailsend.Errorf(gmailsend.CodeOAuthRefreshFailed, "", "the sign-in did not complete: %s", oauthErrorText(e, q.Get("error_description")))})
			return
		}
		fmt.Fprintln(w, "gmailsend: signed in. You can close this window and return to the terminal.")
		deliver(callback{code: q.Get("code")})
	})
}

func oauthErrorText(code, description string) string {
	if code == "access_denied" {
		return "access_denied (consent was refused)"
	}
	if description != "" {
		return code + ": " + description
	}
	return code
}

// classifyExchange quotes only the endpoint's error code.
func classifyExchange(err error) error {
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.ErrorCode == "invalid_grant":
		return &gmailsend.Error{Code: gmailsend.CodeOAuthRefreshFailed, Err: errors.New("oauth: invalid_grant"),
			Message: "the token endpoint refused the authorization code (invalid_grant: expired, used, or its PKCE verifier did not match); run the command again"}
	case errors.As(err, &re) && re.ErrorCode != "":
		return &gmailsend.Error{Code: gmailsend.CodeOAuthRefreshFailed, Err: errors.New("oauth: " + re.ErrorCode),
			Message: "the token endpoint refused the authorization code (" + re.ErrorCode + "); check the client secret file"}
	case errors.Is(err, context.DeadlineExceeded):
		return &gmailsend.Error{Code: gmailsend.CodeTimeout, Err: err, Message: "the OAuth token endpoint did not answer in time"}
	}
	return &gmailsend.Error{Code: gmailsend.CodeOAuthUnavailable, Err: errors.New("oauth: token endpoint unreachable"),
		Message: "the OAuth token endpoint could not be reached or failed; try again"}
}

// randomState is 256 bits, unguessable by a page that might try to forge
// the redirect.
func randomState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
