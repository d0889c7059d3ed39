// Package googleoauth turns a stored OAuth 2.0 client and refresh token
// into access tokens for SASL XOAUTH2, with golang.org/x/oauth2. Tokens are
// cached per credential until shortly before they expire, so a warm send
// makes no token request; concurrent refreshes of one credential share one
// request.
//
// For the gmailsend command it also performs the installed-app sign-in
// that obtains a refresh token in the first place (installed.go); the
// function never calls it.
//
// It never logs a refresh token, returns one only to the sign-in's caller
// (to be stored), and its errors quote only the token endpoint's error code.
package googleoauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/credential"
)

// GoogleTokenURL is Google's token endpoint.
const GoogleTokenURL = "https://oauth2.googleapis.com/token"

// GmailScope is the scope SMTP XOAUTH2 needs.
const GmailScope = "https://mail.google.com/"

// Tokens caches access tokens. Safe for concurrent use.
type Tokens struct {
	// HTTPClient makes token requests; a 10-second-timeout client by default.
	HTTPClient *http.Client
	// Early is how long before expiry a token counts as expired.
	Early time.Duration
	// DefaultTokenURL is used when a credential names no endpoint.
	DefaultTokenURL string

	mu    sync.Mutex
	cache map[string]*oauth2.Token
	group singleflight.Group
}

var _ credential.TokenSource = (*Tokens)(nil)

// New returns Tokens with defaults.
func New() *Tokens {
	return &Tokens{
		HTTPClient:      &http.Client{Timeout: 10 * time.Second},
		Early:           time.Minute,
		DefaultTokenURL: GoogleTokenURL,
		cache:           map[string]*oauth2.Token{},
	}
}

// cacheKey ties a token to the credential name and its refresh token, so a
// replaced refresh token never serves a token minted from the old one.
func cacheKey(name string, o *credential.OAuth) string {
	h := sha256.Sum256([]byte(name + "\x00" + o.ClientID + "\x00" + o.RefreshToken))
	return hex.EncodeToString(h[:])
}

// AccessToken returns a valid access token for the credential.
func (t *Tokens) AccessToken(ctx context.Context, name string, o *credential.OAuth, force bool) (string, error) {
	key := cacheKey(name, o)
	t.mu.Lock()
	tok := t.cache[key]
	if force {
		delete(t.cache, key)
		tok = nil
	}
	t.mu.Unlock()
	if tok != nil && time.Until(tok.Expiry) > t.Early {
		return tok.AccessToken, nil
	}
	v, err, _ := t.group.Do(key, func() (any, error) {
		fresh, err := t.refresh(ctx, o)
		if err != nil {
			return nil, err
		}
		t.mu.Lock()
		t.cache[key] = fresh
		t.mu.Unlock()
		return fresh, nil
	})
	if err != nil {
		return "", err
	}
	return v.(*oauth2.Token).AccessToken, nil
}

func (t *Tokens) refresh(ctx context.Context, o *credential.OAuth) (*oauth2.Token, error) {
	url := o.TokenEndpoint
	if url == "" {
		url = t.DefaultTokenURL
	}
	cfg := oauth2.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: url, AuthStyle: oauth2.AuthStyleInParams},
		Scopes:       []string{GmailScope},
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, t.HTTPClient)
	tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: o.RefreshToken}).Token()
	if err != nil {
		return nil, classify(err)
	}
	if tok.Expiry.IsZero() {
		tok.Expiry = time.Now().Add(time.Hour)
	}
	return tok, nil
}

func classify(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch {
		case re.ErrorCode == "invalid_grant":
			return &gmailsend.Error{Code: gmailsend.CodeOAuthRefreshFailed, Field: "credential", Err: errors.New("oauth: invalid_grant"),
				Message: "the stored refresh token was revoked or has expired (invalid_grant). Obtain a new one; note that " +
					"apps in Google's \"Testing\" publishing status get refresh tokens that expire after 7 days"}
		case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
			return &gmailsend.Error{Code: gmailsend.CodeOAuthRefreshFailed, Field: "credential", Err: errors.New("oauth: " + re.ErrorCode),
				Message: "the token endpoint refused the stored OAuth client (" + re.ErrorCode + "): check clientId and clientSecret"}
		case re.Response != nil && re.Response.StatusCode >= 500:
			return &gmailsend.Error{Code: gmailsend.CodeOAuthUnavailable, Err: errors.New("oauth: token endpoint failed"),
				Message: "the OAuth token endpoint failed; try again"}
		case re.ErrorCode != "":
			return &gmailsend.Error{Code: gmailsend.CodeOAuthRefreshFailed, Field: "credential", Err: errors.New("oauth: " + re.ErrorCode),
				Message: "the token endpoint refused to refresh the token (" + re.ErrorCode + ")"}
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &gmailsend.Error{Code: gmailsend.CodeTimeout, Err: err, Message: "the OAuth token endpoint did not answer in time"}
	}
	return &gmailsend.Error{Code: gmailsend.CodeOAuthUnavailable, Err: errors.New("oauth: token endpoint unreachable"),
		Message: "the OAuth token endpoint could not be reached; try again"}
}
