package sender

import (
	"context"
	"errors"
	"time"

	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/gomailmime"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// Deliverer hands a built message to the SMTP server; *smtp.Client is one.
type Deliverer interface {
	Send(ctx context.Context, creds smtp.Credentials, msg *gomail.Message) error
}

var _ Deliverer = (*smtp.Client)(nil)

// Resolver finds the credential of a request; *credential.Resolver is one.
type Resolver interface {
	Resolve(ctx context.Context, req *gmailsend.Request, caller credential.Caller) (credential.Login, error)
	Refresh(ctx context.Context, l credential.Login) (credential.Login, error)
	Invalidate(l credential.Login)
}

var _ Resolver = (*credential.Resolver)(nil)

// Sender runs sends. Safe for concurrent use.
type Sender struct {
	Limits      gmailsend.RequestLimits
	Relay       RelayPolicy
	Credentials Resolver
	Deliver     Deliverer
	// Now stamps the Date header; time.Now when nil.
	Now func() time.Time
	// SafetyMargin is kept back from the invocation deadline for the
	// credential lookup (Secrets Manager, the token endpoint), as package
	// smtp keeps it for delivery, so a slow dependency still leaves time
	// to answer.
	SafetyMargin time.Duration
	// Records keeps a record of every send and makes idempotency keys
	// work (durable.go); nil sends statelessly, as without MESSAGES_TABLE.
	Records gmailsend.Records
	// Durability tunes records and keys.
	Durability Durability
	// Suppressions refuses addresses that hard-bounced (suppression.go);
	// nil checks nothing.
	Suppressions SuppressionList
	// SuppressionEdits serves /suppressions/{address} (suppressions_api.go).
	SuppressionEdits SuppressionEditor
	// Queueing is what queued and scheduled sends need (queued.go).
	Queueing Queueing
	// StatusSink is told of every status change of a record once it is
	// stored (settle.go); nil tells nobody.
	StatusSink gmailsend.StatusSink
	// Templates renders a request's stored template (templates.go); nil
	// refuses requests that name one.
	Templates *Templates
	// Unsubscribe makes one-click unsubscribe links (unsubscribe.go); nil
	// refuses requests that ask for them.
	Unsubscribe *Unsubscribe
}

// Result is what a successful send returns to the caller.
type Result struct {
	Status string `json:"status"`
	// ID is the message record's id (only with a message table).
	ID        string   `json:"id,omitempty"`
	MessageID string   `json:"messageId"`
	Accepted  []string `json:"accepted"`
	// Replayed says this is the stored outcome of an earlier request
	// with the same idempotency key; nothing was sent.
	Replayed bool `json:"-"`
}

// Outcome describes a send for the log line, whether it succeeded or not.
// It holds no secret and no message content.
type Outcome struct {
	Recipients int
	MessageID  string
	// Credential names the stored credential used ("" for inline ones).
	Credential string
	// RoundTrips to the SMTP server, for the metrics.
	RoundTrips int
	// Replayed says the answer came from the record of an earlier request
	// with the same idempotency key (durable.go); nothing was sent.
	Replayed bool
	// RecordID is the message record's id (with a message table).
	RecordID string
	// StoreError is a message-table failure after a successful send (the
	// caller is answered with success; the log line carries it).
	StoreError error
}

// Send decodes body and delivers it.
func (s *Sender) Send(ctx context.Context, body []byte) (*Result, Outcome, error) {
	req, err := gmailsend.DecodeRequest(body)
	if err != nil {
		return nil, Outcome{}, err
	}
	return s.SendRequest(ctx, req)
}

// SendRequest delivers a decoded request from an IAM-authorised source.
func (s *Sender) SendRequest(ctx context.Context, req *gmailsend.Request) (*Result, Outcome, error) {
	return s.sendRequest(ctx, req, credential.IAM, nil)
}

// beforeDelivery runs once the request is resolved and validated, beside
// the suppression check and the building of the message (durable.go holds
// its claim and reserves the quota there, so those round trips overlap the
// suppression list's); an error stops the send, and is the one reported
// when both fail (it may be the caller's refusal, which must not learn
// about the list). The start it returns, when not nil, runs once every
// check has passed, just before the message goes to the server.
type beforeDelivery func(ctx context.Context, login credential.Login, mail *gmailsend.Mail) (start func(), err error)

// sendRequest resolves the credential (which decides whether caller may
// use it before anything else looks at it), validates, checks the relay
// policy and the suppression list, builds and delivers.
func (s *Sender) sendRequest(ctx context.Context, req *gmailsend.Request, caller credential.Caller, before beforeDelivery) (*Result, Outcome, error) {
	var out Outcome
	login, err := s.resolve(ctx, req, caller)
	out.Credential = login.Stored
	if err != nil {
		return nil, out, err
	}
	mail, err := gmailsend.Validate(req, s.Limits)
	if err != nil {
		return nil, out, err
	}
	out.Recipients = len(mail.Recipients())
	if req.WantsUnsubscribe() {
		if mail.Unsubscribe, err = s.Unsubscribe.link(ctx, login.User, mail); err != nil { // unsubscribe.go
			return nil, out, err
		}
	}
	if err := s.Relay.Check(mail); err != nil {
		return nil, out, err
	}
	type beforeResult struct {
		start func()
		err   error
	}
	var pending chan beforeResult
	if before != nil {
		pending = make(chan beforeResult, 1)
		go func() {
			var r beforeResult
			r.start, r.err = before(ctx, login, mail)
			pending <- r
		}()
	}
	err = s.CheckSuppressed(ctx, login.User, mail)
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	built := gomailmime.Build(mail, now())
	out.MessageID = built.MessageID
	if err == nil {
		err = gomailmime.CheckSize(built, mail, s.Limits.MaxMessageBytes)
	}
	if pending != nil {
		r := <-pending
		if r.err != nil {
			return nil, out, r.err
		}
		if err == nil && r.start != nil {
			r.start()
		}
	}
	if err != nil {
		return nil, out, err
	}
	trips := new(smtp.RoundTrips)
	err = s.deliver(smtp.WithRoundTrips(ctx, trips), login, built.Message)
	out.RoundTrips = trips.Count()
	if err != nil {
		return nil, out, err
	}
	return &Result{Status: "sent", MessageID: built.MessageID, Accepted: built.Accepted}, out, nil
}

func (s *Sender) resolve(ctx context.Context, req *gmailsend.Request, caller credential.Caller) (credential.Login, error) {
	return resolveWithin(ctx, s.Credentials, s.SafetyMargin, req, caller)
}

// resolveWithin resolves a request's credential, keeping margin back from
// the invocation's deadline so a slow lookup still leaves time to answer.
func resolveWithin(ctx context.Context, r Resolver, margin time.Duration, req *gmailsend.Request, caller credential.Caller) (credential.Login, error) {
	if d, ok := ctx.Deadline(); ok && margin > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-margin))
		defer cancel()
	}
	return r.Resolve(ctx, req, caller)
}

// deliver sends, and on an authentication failure drops the cached
// credential; a rejected OAuth access token is refreshed and tried once more.
func (s *Sender) deliver(ctx context.Context, login credential.Login, msg *gomail.Message) error {
	err := s.Deliver.Send(ctx, credsOf(login), msg)
	if gmailsend.CodeOf(err) != gmailsend.CodeSMTPAuthFailed {
		return err
	}
	if errors.Is(err, smtp.ErrAccessTokenRejected) && login.Refreshable() {
		fresh, rerr := s.Credentials.Refresh(ctx, login)
		if rerr != nil {
			return rerr
		}
		err = s.Deliver.Send(ctx, credsOf(fresh), msg)
		if gmailsend.CodeOf(err) != gmailsend.CodeSMTPAuthFailed {
			return err
		}
	}
	s.Credentials.Invalidate(login)
	return err
}

func credsOf(l credential.Login) smtp.Credentials {
	return smtp.Credentials{User: l.User, Password: l.Password, AccessToken: l.AccessToken}
}
