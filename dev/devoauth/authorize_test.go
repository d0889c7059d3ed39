package devoauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gmailsend/gmailsend/dev/devoauth"
)

// codeFor runs the authorization step for a loopback redirect and returns
// the code and the config used.
func codeFor(t *testing.T, s *devoauth.Server, verifier string, opts ...oauth2.AuthCodeOption) (string, oauth2.Config) {
	t.Helper()
	cfg := oauth2.Config{ClientID: "app", ClientSecret: "app-secret", RedirectURL: "http://127.0.0.1:9/",
		Endpoint: oauth2.Endpoint{AuthURL: s.AuthURL, TokenURL: s.URL, AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{"https://mail.google.com/", "openid", "email"}}
	opts = append(opts, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier))
	loc, err := devoauth.Authorize(cfg.AuthCodeURL("st", opts...))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Query().Get("state") != "st" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect: %s", loc)
	}
	return loc.Query().Get("code"), cfg
}

func start(t *testing.T) *devoauth.Server {
	t.Helper()
	s := devoauth.Start(time.Hour)
	t.Cleanup(s.Close)
	s.RegisterApp(devoauth.App{ID: "app", Secret: "app-secret", User: "me@example.com"})
	return s
}

// TestCodeExchangeWithPKCE ensures the right verifier gets a refresh token that works, a Gmail-scoped access token and an ID token.
func TestCodeExchangeWithPKCE(t *testing.T) {
	s := start(t)
	v := oauth2.GenerateVerifier()
	code, cfg := codeFor(t, s, v)
	tok, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || s.TokenStatus("me@example.com", tok.AccessToken) != "" || tok.Extra("id_token") == nil {
		t.Fatalf("token: %+v", tok)
	}
	fresh, err := cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || s.TokenStatus("me@example.com", fresh.AccessToken) != "" {
		t.Fatalf("refresh with the issued refresh token: %v", err)
	}
	if _, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(v)); err == nil {
		t.Fatal("a code was accepted twice")
	}
}

// TestBadVerifierRefused ensures a wrong or missing code_verifier gets invalid_grant.
func TestBadVerifierRefused(t *testing.T) {
	s := start(t)
	for _, opt := range [][]oauth2.AuthCodeOption{{oauth2.VerifierOption(oauth2.GenerateVerifier())}, nil} {
		code, cfg := codeFor(t, s, oauth2.GenerateVerifier())
		_, err := cfg.Exchange(context.Background(), code, opt...)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("got %v", err)
		}
	}
}

// TestAuthorizeInsistsOnPKCEStateAndLoopback ensures requests without S256, without state, or to a non-loopback redirect get no code.
func TestAuthorizeInsistsOnPKCEStateAndLoopback(t *testing.T) {
	s := start(t)
	base := url.Values{"client_id": {"app"}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9/"}, "scope": {"https://mail.google.com/"},
		"state": {"st"}, "code_challenge_method": {"S256"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}}
	mutate := map[string]func(url.Values){
		"plain PKCE":   func(v url.Values) { v.Set("code_challenge_method", "plain") },
		"no PKCE":      func(v url.Values) { v.Del("code_challenge") },
		"no state":     func(v url.Values) { v.Del("state") },
		"web redirect": func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") },
		"unknown app":  func(v url.Values) { v.Set("client_id", "other") },
	}
	for name, m := range mutate {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		m(q)
		loc, err := devoauth.Authorize(s.AuthURL + "?" + q.Encode())
		if err == nil && loc.Query().Get("code") != "" {
			t.Errorf("%s: a code was issued: %s", name, loc)
		}
		if err == nil && !strings.HasPrefix(loc.String(), "http://127.0.0.1:9/") {
			t.Errorf("%s: redirected elsewhere: %s", name, loc)
		}
	}
	if _, status := getStatus(t, s.AuthURL+"?"+base.Encode()); status != http.StatusFound {
		t.Fatalf("the unmodified request was refused: %d", status)
	}
}

func getStatus(t *testing.T, u string) (string, int) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Location"), resp.StatusCode
}
