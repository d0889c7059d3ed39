package googleoauth

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/internal/credential"
)

func setup(t *testing.T, ttl time.Duration) (*Tokens, *devoauth.Server, *credential.OAuth) {
	t.Helper()
	srv := devoauth.Start(ttl)
	t.Cleanup(srv.Close)
	srv.Register(devoauth.Client{ID: "id", Secret: "secret", RefreshToken: "rt", User: "u@gmail.com"})
	tk := New()
	tk.DefaultTokenURL = srv.URL
	return tk, srv, &credential.OAuth{ClientID: "id", ClientSecret: "secret", RefreshToken: "rt"}
}

// TestTokenCachedUntilShortlyBeforeExpiry ensures a token is reused, and refreshed once it is within Early of expiry.
func TestTokenCachedUntilShortlyBeforeExpiry(t *testing.T) {
	tk, srv, o := setup(t, time.Hour)
	ctx := context.Background()
	a, err := tk.AccessToken(ctx, "desk", o, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := tk.AccessToken(ctx, "desk", o, false)
	if a != b || srv.Requests() != 1 || srv.TokenStatus("u@gmail.com", a) != "" {
		t.Fatalf("tokens %q %q, %d requests", a, b, srv.Requests())
	}
	tk.Early = 2 * time.Hour // every token now counts as about to expire
	c, _ := tk.AccessToken(ctx, "desk", o, false)
	if c == a || srv.Requests() != 2 {
		t.Fatalf("not refreshed near expiry: %d requests", srv.Requests())
	}
	d, _ := tk.AccessToken(ctx, "desk", o, true)
	if d == c || srv.Requests() != 3 {
		t.Fatal("force did not refresh")
	}
}

// TestConcurrentRefreshSharesOneRequest ensures a burst of cold sends makes one token request.
func TestConcurrentRefreshSharesOneRequest(t *testing.T) {
	tk, srv, o := setup(t, time.Hour)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := tk.AccessToken(context.Background(), "desk", o, false); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := srv.Requests(); n > 2 { // one flight; a second only if one finished before the others started
		t.Fatalf("%d token requests", n)
	}
}

// TestRefreshErrors ensures token endpoint failures get their codes and never quote the secrets.
func TestRefreshErrors(t *testing.T) {
	tk, srv, o := setup(t, time.Hour)
	srv.Revoke("rt")
	_, err := tk.AccessToken(context.Background(), "desk", o, false)
	if e := gmailsend.AsError(err); e.Code != gmailsend.CodeOAuthRefreshFailed {
		t.Fatalf("revoked: %v", err)
	}
	bad := *o
	bad.ClientSecret, bad.RefreshToken = "wrong", "rt2"
	srv.Register(devoauth.Client{ID: "id", Secret: "secret", RefreshToken: "rt2", User: "u@gmail.com"})
	_, err = tk.AccessToken(context.Background(), "desk2", &bad, false)
	if e := gmailsend.AsError(err); e.Code != gmailsend.CodeOAuthRefreshFailed || !contains(e.Message, "invalid_client") || contains(e.Error(), "wrong") {
		t.Fatalf("bad client: %v", err)
	}
	down := *o
	down.TokenEndpoint = "http://127.0.0.1:1/token"
	_, err = tk.AccessToken(context.Background(), "desk3", &down, false)
	if e := gmailsend.AsError(err); e.Code != gmailsend.CodeOAuthUnavailable || !e.Code.Retryable() {
		t.Fatalf("unreachable: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
