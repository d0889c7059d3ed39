package credential

import (
	"context"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend"
)

// SecretFetcher reads a stored secret by its full name. Its errors carry
// email codes (credential_not_found, forbidden, secrets_unavailable).
type SecretFetcher interface {
	FetchSecret(ctx context.Context, id string) ([]byte, error)
}

// TokenSource turns a stored OAuth credential into an access token,
// caching it under key; force discards a cached token first.
type TokenSource interface {
	AccessToken(ctx context.Context, key string, o *OAuth, force bool) (string, error)
}

// Policy is a deployment's rules for credentials.
type Policy struct {
	// Prefix is prepended to every stored credential name.
	Prefix string
	// Default is used when a request names neither password nor credential.
	Default string
	// AllowInline permits passwords and access tokens in requests.
	AllowInline bool
	// TTL is how long a fetched secret is used without fetching it again.
	TTL time.Duration
}

// DefaultPolicy is the documented default configuration.
func DefaultPolicy() Policy {
	return Policy{Prefix: "gmailsend/", AllowInline: true, TTL: 5 * time.Minute}
}

// Resolver finds the Login for a request. Safe for concurrent use.
type Resolver struct {
	policy Policy
	fetch  SecretFetcher // nil: stored credentials are not configured
	tokens TokenSource   // nil: stored OAuth credentials are refused
	cache  *cache
}

// NewResolver returns a Resolver; fetch and tokens may be nil.
func NewResolver(p Policy, fetch SecretFetcher, tokens TokenSource) *Resolver {
	if p.TTL <= 0 {
		p.TTL = DefaultPolicy().TTL
	}
	return &Resolver{policy: p, fetch: fetch, tokens: tokens, cache: newCache(p.TTL)}
}

// Resolve returns the Login for req and sets req.User from a stored
// credential when the request left it empty.
//
// The caller's right to a stored credential is decided first, as soon as
// the secret is read and before anything that depends on what it holds
// (the account's match with req.User, an OAuth token refresh) — and so
// before the sender looks at suppressions, quota or records. An API caller
// that may not use the credential gets the same forbidden answer whether
// the credential exists or not.
func (r *Resolver) Resolve(ctx context.Context, req *gmailsend.Request, caller Caller) (Login, error) {
	inline := req.Password != "" || req.AccessToken != ""
	switch {
	case req.Password != "" && req.AccessToken != "":
		return Login{}, gmailsend.Invalid("accessToken", "send either password or accessToken, not both")
	case inline && req.Credential != "":
		return Login{}, gmailsend.Invalid("credential", "send either a credential name or an inline password/accessToken, not both")
	case inline && !r.policy.AllowInline:
		field := "password"
		if req.AccessToken != "" {
			field = "accessToken"
		}
		return Login{}, gmailsend.Errorf(gmailsend.CodeForbidden, field, "this deployment does not accept passwords or tokens in requests; send with a stored credential")
	case req.Password != "":
		return Login{User: req.User, Password: gmailsend.NormalizePassword(req.Password)}, nil
	case req.AccessToken != "":
		if strings.ContainsAny(req.AccessToken, "\x00\x01\r\n ") {
			return Login{}, gmailsend.Invalid("accessToken", "is not a valid access token")
		}
		return Login{User: req.User, AccessToken: req.AccessToken}, nil
	}
	name := req.Credential
	if name == "" {
		name = r.policy.Default
	}
	if name == "" {
		return Login{}, gmailsend.Invalid("password", "missing required field: an app password (password) or a stored credential (credential)")
	}
	if err := CheckName(name); err != nil {
		return Login{}, err
	}
	if r.fetch == nil {
		return Login{}, gmailsend.Errorf(gmailsend.CodeCredentialNotFound, "credential", "stored credentials are not configured in this deployment")
	}
	secret, err := r.cache.get(ctx, name, func(ctx context.Context) (*Secret, error) {
		raw, err := r.fetch.FetchSecret(ctx, r.policy.Prefix+name)
		if err != nil {
			return nil, err
		}
		return ParseSecret(name, raw)
	})
	if err != nil {
		if caller.API && (gmailsend.CodeOf(err) == gmailsend.CodeCredentialNotFound || gmailsend.CodeOf(err) == gmailsend.CodeForbidden) {
			// Missing, or beyond the function's own reach: to an API
			// caller the same as a credential it may not use.
			return Login{}, caller.refused(name)
		}
		return Login{}, err
	}
	if !caller.allows(secret.Limits) {
		return Login{}, caller.refused(name)
	}
	if req.User != "" && !strings.EqualFold(req.User, secret.User) {
		return Login{}, gmailsend.Errorf(gmailsend.CodeForbidden, "user", "credential %q belongs to another account; a stored credential sends only as its own account", name)
	}
	req.User = secret.User
	l := Login{User: secret.User, Password: secret.Password, Stored: name, Limits: secret.Limits, oauth: secret.OAuth}
	if secret.OAuth != nil {
		if r.tokens == nil {
			return Login{}, gmailsend.Errorf(gmailsend.CodeCredentialInvalid, "credential", "stored OAuth credentials are not configured in this deployment")
		}
		if l.AccessToken, err = r.tokens.AccessToken(ctx, name, secret.OAuth, false); err != nil {
			// The name (never the secret) goes back with the error, so a
			// refresh token that stopped working shows on its credential's
			// metrics and log line.
			return Login{Stored: name}, err
		}
	}
	return l, nil
}

// Refresh replaces a rejected access token of a stored OAuth credential.
func (r *Resolver) Refresh(ctx context.Context, l Login) (Login, error) {
	tok, err := r.tokens.AccessToken(ctx, l.Stored, l.oauth, true)
	if err != nil {
		return Login{}, err
	}
	l.AccessToken = tok
	return l, nil
}

// Invalidate forgets a stored credential after the server refused it.
func (r *Resolver) Invalidate(l Login) {
	if l.Stored != "" {
		r.cache.evict(l.Stored)
	}
}
