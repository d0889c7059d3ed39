package credential_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsecrets"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/credential"
)

const deskSecret = `{"user":"desk@gmail.com","password":"abcd efgh ijkl mnop"}`

func newResolver(t *testing.T, p credential.Policy) (*credential.Resolver, *devsecrets.Server) {
	t.Helper()
	ep := devsecrets.Start()
	t.Cleanup(ep.Close)
	ep.Put("gmailsend/desk", deskSecret)
	if p.Prefix == "" {
		p.Prefix = "gmailsend/"
	}
	return credential.NewResolver(p, awssecrets.NewWithAPI(ep.Client()), nil), ep
}

// TestStoredCredential ensures the account and normalised password come from the secret.
func TestStoredCredential(t *testing.T) {
	r, _ := newResolver(t, credential.Policy{})
	req := &gmailsend.Request{Credential: "desk"}
	l, err := r.Resolve(context.Background(), req, credential.IAM)
	if err != nil {
		t.Fatal(err)
	}
	if l.User != "desk@gmail.com" || l.Password != "abcdefghijklmnop" || req.User != "desk@gmail.com" || l.Stored != "desk" {
		t.Fatalf("%+v req.User=%s", l, req.User)
	}
}

// TestCacheTTLAndEviction ensures N sends make 1 fetch, the TTL expires it, and Invalidate forces a fetch.
func TestCacheTTLAndEviction(t *testing.T) {
	r, ep := newResolver(t, credential.Policy{TTL: time.Minute})
	now := time.Now()
	r.SetClock(func() time.Time { return now })
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if _, err := r.Resolve(ctx, &gmailsend.Request{Credential: "desk"}, credential.IAM); err != nil {
			t.Fatal(err)
		}
	}
	if n := ep.Calls("gmailsend/desk"); n != 1 {
		t.Fatalf("5 sends made %d fetches", n)
	}
	now = now.Add(61 * time.Second)
	l, _ := r.Resolve(ctx, &gmailsend.Request{Credential: "desk"}, credential.IAM)
	if n := ep.Calls("gmailsend/desk"); n != 2 {
		t.Fatalf("after TTL: %d fetches", n)
	}
	ep.Put("gmailsend/desk", `{"user":"desk@gmail.com","password":"rotatedpassword1"}`)
	r.Invalidate(l)
	l, _ = r.Resolve(ctx, &gmailsend.Request{Credential: "desk"}, credential.IAM)
	if ep.Calls("gmailsend/desk") != 3 || l.Password != "rotatedpassword1" {
		t.Fatalf("eviction did not refetch: %d %q", ep.Calls("gmailsend/desk"), l.Password)
	}
}

// TestSingleFlight ensures concurrent cold lookups share one fetch.
func TestSingleFlight(t *testing.T) {
	r, ep := newResolver(t, credential.Policy{})
	ep.SetDelay(100 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.Resolve(context.Background(), &gmailsend.Request{Credential: "desk"}, credential.IAM)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := ep.Calls("gmailsend/desk"); n != 1 {
		t.Fatalf("50 concurrent lookups made %d fetches", n)
	}
}

// TestPrefixConfinement ensures names that could leave the prefix never reach Secrets Manager.
func TestPrefixConfinement(t *testing.T) {
	r, ep := newResolver(t, credential.Policy{})
	for _, name := range []string{"../other", "desk/../../x", "arn:aws:secretsmanager:us-east-1:1:secret:x", "/abs", ".hidden",
		"a b", "desk\n", strings.Repeat("a", 200), "한글"} {
		_, err := r.Resolve(context.Background(), &gmailsend.Request{Credential: name}, credential.IAM)
		if e := gmailsend.AsError(err); e == nil || e.Code != gmailsend.CodeInvalidRequest || e.Field != "credential" {
			t.Errorf("%q: %v", name, err)
		}
	}
	if n := ep.Calls(""); n != 0 {
		t.Fatalf("%d requests reached the endpoint", n)
	}
}

// TestUserMismatchAndPolicy ensures a stored password is never used for another account, and policy switches work.
func TestUserMismatchAndPolicy(t *testing.T) {
	ctx := context.Background()
	r, _ := newResolver(t, credential.Policy{AllowInline: true})
	_, err := r.Resolve(ctx, &gmailsend.Request{Credential: "desk", User: "someone@gmail.com"}, credential.IAM)
	if e := gmailsend.AsError(err); e.Code != gmailsend.CodeForbidden || e.Field != "user" {
		t.Fatalf("mismatch: %v", err)
	}
	if _, err := r.Resolve(ctx, &gmailsend.Request{Credential: "desk", User: "DESK@gmail.com"}, credential.IAM); err != nil {
		t.Fatalf("same account in other case refused: %v", err)
	}
	if _, err := r.Resolve(ctx, &gmailsend.Request{User: "a@gmail.com"}, credential.IAM); gmailsend.CodeOf(err) != gmailsend.CodeInvalidRequest {
		t.Fatalf("no password nor credential: %v", err)
	}
	if _, err := r.Resolve(ctx, &gmailsend.Request{User: "a@gmail.com", Password: "p", Credential: "desk"}, credential.IAM); gmailsend.CodeOf(err) != gmailsend.CodeInvalidRequest {
		t.Fatalf("both: %v", err)
	}

	strict, _ := newResolver(t, credential.Policy{AllowInline: false, Default: "desk"})
	_, err = strict.Resolve(ctx, &gmailsend.Request{User: "a@gmail.com", Password: "p"}, credential.IAM)
	if e := gmailsend.AsError(err); e.Code != gmailsend.CodeForbidden || e.Field != "password" {
		t.Fatalf("inline refused: %v", err)
	}
	l, err := strict.Resolve(ctx, &gmailsend.Request{}, credential.IAM)
	if err != nil || l.Stored != "desk" {
		t.Fatalf("default credential: %+v %v", l, err)
	}
}

// TestMalformedSecret ensures a bad secret is credential_invalid and never echoes its content.
func TestMalformedSecret(t *testing.T) {
	r, ep := newResolver(t, credential.Policy{})
	for name, value := range map[string]string{
		"notjson":   "hunter2-secret-value",
		"nouser":    `{"password":"hunter2-secret-value"}`,
		"nopass":    `{"user":"a@gmail.com"}`,
		"extra":     `{"user":"a@gmail.com","password":"hunter2-secret-value","pasword":"x"}`,
		"halfoauth": `{"user":"a@gmail.com","oauth":{"clientId":"hunter2-secret-value"}}`,
	} {
		ep.Put("gmailsend/"+name, value)
		_, err := r.Resolve(context.Background(), &gmailsend.Request{Credential: name}, credential.IAM)
		e := gmailsend.AsError(err)
		if e.Code != gmailsend.CodeCredentialInvalid || strings.Contains(e.Error(), "hunter2") || !strings.Contains(e.Message, name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// countingTokens hands out access tokens and counts how often it was asked.
type countingTokens struct{ calls int }

func (c *countingTokens) AccessToken(context.Context, string, *credential.OAuth, bool) (string, error) {
	c.calls++
	return "token", nil
}

// TestCallerDecidedFirst ensures an API key outside a credential's allowedCallers gets one and the same forbidden answer whether the credential exists, is missing, names another account or is an OAuth credential, and that nothing of the credential is used for it (no token refresh).
func TestCallerDecidedFirst(t *testing.T) {
	ep := devsecrets.Start()
	t.Cleanup(ep.Close)
	ep.Put("gmailsend/listed", `{"user":"desk@gmail.com","password":"abcdefghijklmnop","allowedCallers":["k1"]}`)
	ep.Put("gmailsend/oauth", `{"user":"desk@gmail.com","oauth":{"clientId":"c","clientSecret":"s","refreshToken":"r"},"allowedCallers":["k1"]}`)
	tokens := &countingTokens{}
	r := credential.NewResolver(credential.Policy{Prefix: "gmailsend/"}, awssecrets.NewWithAPI(ep.Client()), tokens)
	ctx := context.Background()
	outsider := credential.Caller{API: true, Key: "k2"}

	answer := func(req *gmailsend.Request) string {
		t.Helper()
		_, err := r.Resolve(ctx, req, outsider)
		e := gmailsend.AsError(err)
		if e == nil || e.Code != gmailsend.CodeForbidden || e.Field != "credential" {
			t.Fatalf("%+v: %v, want forbidden on credential", req, err)
		}
		return strings.ReplaceAll(e.Message, req.Credential, "NAME")
	}
	want := answer(&gmailsend.Request{Credential: "listed"})
	for _, req := range []*gmailsend.Request{
		{Credential: "missing"},
		{Credential: "listed", User: "someone-else@gmail.com"},
		{Credential: "oauth"},
	} {
		if got := answer(req); got != want {
			t.Errorf("%+v: %q, want the same answer as for an existing credential: %q", req, got, want)
		}
	}
	if tokens.calls != 0 {
		t.Errorf("the token source was asked %d times for a caller that may not use the credential", tokens.calls)
	}

	// The allowed key and IAM sources see the credential as it is.
	if _, err := r.Resolve(ctx, &gmailsend.Request{Credential: "oauth"}, credential.Caller{API: true, Key: "k1"}); err != nil || tokens.calls != 1 {
		t.Errorf("allowed key: %v, %d token calls", err, tokens.calls)
	}
	if _, err := r.Resolve(ctx, &gmailsend.Request{Credential: "missing"}, credential.IAM); gmailsend.CodeOf(err) != gmailsend.CodeCredentialNotFound {
		t.Errorf("IAM source, missing credential: %v, want credential_not_found", err)
	}
}
