package sender

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// scriptedDeliverer returns its errors in order, then succeeds.
type scriptedDeliverer struct {
	errs  []error
	calls []smtp.Credentials
}

func (d *scriptedDeliverer) Send(_ context.Context, c smtp.Credentials, _ *gomail.Message) error {
	d.calls = append(d.calls, c)
	if len(d.errs) == 0 {
		return nil
	}
	err := d.errs[0]
	d.errs = d.errs[1:]
	return err
}

// countingResolver hands out a refreshable-looking login and counts refreshes and evictions.
type countingResolver struct {
	login       credential.Login
	refreshes   int
	invalidated int
}

func (r *countingResolver) Resolve(_ context.Context, req *gmailsend.Request, _ credential.Caller) (credential.Login, error) {
	if req.User == "" {
		req.User = r.login.User
	}
	return r.login, nil
}

func (r *countingResolver) Refresh(_ context.Context, l credential.Login) (credential.Login, error) {
	r.refreshes++
	l.AccessToken = fmt.Sprintf("fresh-%d", r.refreshes)
	return l, nil
}

func (r *countingResolver) Invalidate(credential.Login) { r.invalidated++ }

const body = `{"user":"me@gmail.com","password":"p","toEmail":"a@example.com","subject":"s","message":"m"}`

var tokenRejected = &gmailsend.Error{Code: gmailsend.CodeSMTPAuthFailed, Message: "token", Err: fmt.Errorf("%w", smtp.ErrAccessTokenRejected)}

// TestAuthFailureEvicts ensures a refused credential is dropped from the cache and not retried.
func TestAuthFailureEvicts(t *testing.T) {
	d := &scriptedDeliverer{errs: []error{gmailsend.Errorf(gmailsend.CodeSMTPAuthFailed, "", "bad")}}
	r := &countingResolver{login: credential.Login{User: "me@gmail.com", Password: "p"}}
	s := &Sender{Limits: gmailsend.DefaultLimits(), Credentials: r, Deliver: d}
	_, _, err := s.Send(context.Background(), []byte(body))
	if gmailsend.CodeOf(err) != gmailsend.CodeSMTPAuthFailed || r.invalidated != 1 || r.refreshes != 0 || len(d.calls) != 1 {
		t.Fatalf("err %v invalidated %d refreshes %d calls %d", err, r.invalidated, r.refreshes, len(d.calls))
	}
}

// TestRejectedTokenNotRefreshableIsNotRetried ensures an inline access token is not refreshed (there is nothing to refresh with).
func TestRejectedTokenNotRefreshableIsNotRetried(t *testing.T) {
	d := &scriptedDeliverer{errs: []error{tokenRejected}}
	r := &countingResolver{login: credential.Login{User: "me@gmail.com", AccessToken: "inline"}}
	s := &Sender{Limits: gmailsend.DefaultLimits(), Credentials: r, Deliver: d}
	if _, _, err := s.Send(context.Background(), []byte(body)); gmailsend.CodeOf(err) != gmailsend.CodeSMTPAuthFailed || r.refreshes != 0 || len(d.calls) != 1 {
		t.Fatalf("err %v refreshes %d calls %d", err, r.refreshes, len(d.calls))
	}
}

// TestRelayPolicy ensures empty lists allow all, and set lists refuse with forbidden naming the field.
func TestRelayPolicy(t *testing.T) {
	m := &gmailsend.Mail{From: gmailsend.Address{Email: "me@gmail.com"}, To: []gmailsend.Address{{Email: "a@example.com"}},
		Bcc: []gmailsend.Address{{Email: "b@other.example"}}}
	if err := (RelayPolicy{}).Check(m); err != nil {
		t.Fatal(err)
	}
	if err := (RelayPolicy{AllowedSenders: []string{" ME@gmail.com "}, AllowedRecipientDomains: []string{"example.com", "other.example"}}).Check(m); err != nil {
		t.Fatal(err)
	}
	err := RelayPolicy{AllowedRecipientDomains: []string{"example.com"}}.Check(m)
	if e := gmailsend.AsError(err); e.Code != gmailsend.CodeForbidden || e.Field != "bcc" {
		t.Fatalf("%v", err)
	}
	err = RelayPolicy{AllowedSenders: []string{"boss@gmail.com"}}.Check(m)
	if e := gmailsend.AsError(err); e.Code != gmailsend.CodeForbidden || e.Field != "user" {
		t.Fatalf("%v", err)
	}
}
