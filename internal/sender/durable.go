package sender

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// Durability tunes message records and idempotency keys.
type Durability struct {
	// Retention is how long a record is kept (MESSAGE_RETENTION).
	Retention time.Duration
	// KeyTTL is how long an idempotency key protects its record
	// (IDEMPOTENCY_TTL).
	KeyTTL time.Duration
	// LeaseMargin is added to the invocation's deadline for a claim's
	// lease: a claim left by a crashed invocation can be taken over after.
	LeaseMargin time.Duration
	// Quota, when set, keeps accounts under their daily limits (Limits,
	// unless the stored credential sets its own); quota.go.
	Quota  *gmailsend.Guard
	Limits gmailsend.QuotaLimits
	// Fingerprints gives the key a record's fingerprint of its request is
	// made with (FINGERPRINT_KEY_SECRET); required with Records.
	Fingerprints gmailsend.FingerprintKeys
}

// DefaultDurability: 30-day records, 24-hour keys.
func DefaultDurability() Durability {
	return Durability{Retention: 30 * 24 * time.Hour, KeyTTL: 24 * time.Hour, LeaseMargin: 5 * time.Second}
}

// Origin is where a request came from, for its record and its key.
type Origin struct {
	// Source is what invoked the function (apigateway-rest, sqs, …).
	Source string
	// Caller is the API key id API Gateway supplies ("" otherwise); keys
	// and records are scoped to it.
	Caller string
	// Key is an idempotency key from outside the body (the
	// Idempotency-Key header), KeyField the name to report it under. A
	// KeyField with an empty Key is a header sent empty: refused, never
	// taken for no key.
	Key, KeyField string
	// DefaultKey is used when the request has none: the SQS message id,
	// EventBridge event id or SNS MessageId, so a redelivery replays.
	DefaultKey string
	// API says the request came through API Gateway, so a stored
	// credential's allowedCallers apply to Caller.
	API bool
}

// key is the idempotency key of a request from o whose body carries
// bodyKey, and the field to name it by; field is "" when there is none. The
// header wins over the body.
func (o Origin) key(bodyKey string) (key, field string) {
	switch {
	case o.KeyField != "":
		return o.Key, o.KeyField
	case bodyKey != "":
		return bodyKey, "idempotencyKey"
	}
	return "", ""
}

// caller is who o says is asking for a stored credential.
func (o Origin) caller() credential.Caller {
	return credential.Caller{API: o.API, Key: o.Caller}
}

// ErrReplayed is found (errors.Is) in an error that is the stored outcome
// of an earlier request with the same key; nothing was sent.
var ErrReplayed = errors.New("sender: replayed outcome of an earlier request with this idempotency key")

// SendFrom decodes body and sends it; with Records it keeps a record and
// honours idempotency keys, without it it sends as Send does.
func (s *Sender) SendFrom(ctx context.Context, body []byte, o Origin) (*Result, Outcome, error) {
	req, err := gmailsend.DecodeRequest(body)
	if err != nil {
		return nil, Outcome{}, err
	}
	if req.ScheduledAt != "" {
		// Sending now what was asked for later would be worse than refusing.
		return nil, Outcome{}, gmailsend.Invalid("scheduledAt", "scheduledAt is accepted only by POST /messages, which queues the message for that time")
	}
	if err := s.Templates.Expand(ctx, o.Caller, req); err != nil { // templates.go
		return nil, Outcome{}, err
	}
	key, field := o.key(req.IdempotencyKey)
	if field != "" {
		if err := gmailsend.CheckKey(key, field); err != nil {
			return nil, Outcome{}, err
		}
	}
	if s.Records == nil {
		if key != "" {
			return nil, Outcome{}, gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, field,
				"idempotency keys need the message table; set MESSAGES_TABLE")
		}
		return s.sendRequest(ctx, req, o.caller(), nil)
	}
	if key == "" {
		key = o.DefaultKey
	}
	return s.sendDurable(ctx, req, o, key)
}

// fingerprint is req's fingerprint under the deployment's key.
func (s *Sender) fingerprint(ctx context.Context, req *gmailsend.Request) (gmailsend.Fingerprint, error) {
	if s.Durability.Fingerprints == nil {
		return gmailsend.Fingerprint{}, &gmailsend.Error{Code: gmailsend.CodeInternal, Message: "no fingerprint key is configured",
			Err: errors.New("sender: Durability.Fingerprints is nil (FINGERPRINT_KEY_SECRET)")}
	}
	key, err := s.Durability.Fingerprints.FingerprintKey(ctx)
	if err != nil {
		return gmailsend.Fingerprint{}, err
	}
	return key.Of(req), nil
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// sendDurable claims the record (one conditional write that is also the
// key's claim), sends, and writes the outcome (one more).
func (s *Sender) sendDurable(ctx context.Context, req *gmailsend.Request, o Origin, key string) (*Result, Outcome, error) {
	d := s.Durability
	fp, err := s.fingerprint(ctx, req)
	if err != nil {
		return nil, Outcome{}, err
	}
	now := s.now()
	rec := &gmailsend.Record{
		ID: gmailsend.NewID(), Status: gmailsend.StatusSending, Source: o.Source, Caller: o.Caller,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(d.Retention),
		Fingerprint: fp.Value, Token: gmailsend.NewToken(), LeaseUntil: now.Add(time.Minute),
	}
	rec.Template, rec.TemplateVersion = req.Rendered.Ref()
	if dl, ok := ctx.Deadline(); ok {
		rec.LeaseUntil = dl.Add(d.LeaseMargin)
	}
	if key != "" {
		rec.ID, rec.Keyed, rec.KeyUntil = gmailsend.KeyedID(o.Caller, key), true, now.Add(d.KeyTTL)
		if rec.ExpiresAt.Before(rec.KeyUntil) {
			rec.ExpiresAt = rec.KeyUntil
		}
	}
	// The claim's round trip overlaps credential lookup and validation;
	// the quota's reservation is made beside it and the suppression check
	// (one flight of DynamoDB requests), and given back when the claim is
	// not held. Nothing goes to the server before the claim is known held.
	premarked := s.oneFlightLikely(req) // mark.go
	if premarked {
		rec.ContentAt = now
	}
	claim := s.claimAsync(ctx, rec)
	var q quotaTicket
	var gate smtp.ContentGate
	res, out, err := s.sendRequest(gatedContext(withRecordID(ctx, rec.ID), &gate), req, o.caller(), func(ctx context.Context, login credential.Login, mail *gmailsend.Mail) (func(), error) {
		rec.Account = gmailsend.AccountOf(login.Stored, login.User)
		rec.Recipients = len(mail.Recipients())
		rec.RecipientKeys = bounce.RecipientKeys(mail.Recipients()) // what a bounce may name
		reserved := make(chan error, 1)
		go func() { reserved <- s.reserve(ctx, &q, login, rec.Recipients) }() // quota.go
		c, rerr := claim(), <-reserved
		if c.err != nil {
			return nil, c.err
		}
		if rerr != nil {
			return nil, rerr
		}
		if premarked {
			return nil, nil // the claim carried the mark
		}
		return func() { gate = s.markAsync(ctx, rec) }, nil // mark.go
	})
	if c := claim(); c.err != nil {
		s.settleQuota(ctx, &q, &gmailsend.Record{Released: true}, nil) // the claim's holder sends, not this
		if errors.Is(c.err, gmailsend.ErrClaimTaken) && c.holder != nil {
			return s.replay(ctx, req, fp, c.holder)
		}
		return nil, Outcome{}, c.err
	}
	rec.MessageID, out.RecordID = out.MessageID, rec.ID
	if rec.Recipients == 0 {
		rec.Recipients = out.Recipients
	}
	err = outcome(rec, err) // settle.go
	s.settleQuota(ctx, &q, rec, err)
	rec.UpdatedAt = s.now()
	// The outcome is written even when the invocation's own deadline has
	// passed: a record left "sending" would replay in_progress until its
	// lease ends.
	wctx, cancel := gmailsend.WriteContext(ctx)
	defer cancel()
	if ferr := s.finishRecord(wctx, rec); ferr != nil && !errors.Is(ferr, gmailsend.ErrClaimLost) && err == nil {
		// Sent, but the record could not be written: the caller must not
		// retry (it was delivered), so answer success and let the log
		// carry the store failure.
		out.StoreError = ferr
	}
	if err != nil {
		return nil, out, err
	}
	res.ID = rec.ID
	return res, out, nil
}

// claimResult is what Claim answered.
type claimResult struct {
	holder *gmailsend.Record
	err    error
}

// claimAsync starts the claim of rec and returns a function that waits
// for its answer (any number of times).
func (s *Sender) claimAsync(ctx context.Context, rec *gmailsend.Record) func() claimResult {
	done := make(chan struct{})
	var r claimResult
	claimed := *rec // the send goes on filling rec meanwhile
	go func() {
		defer close(done)
		r.holder, r.err = s.claimRecord(ctx, &claimed) // settle.go
	}()
	return func() claimResult {
		<-done
		return r
	}
}

// replay answers a request whose key is held by holder.
func (s *Sender) replay(ctx context.Context, req *gmailsend.Request, fp gmailsend.Fingerprint, holder *gmailsend.Record) (*Result, Outcome, error) {
	out := Outcome{Recipients: holder.Recipients, MessageID: holder.MessageID, Replayed: true, RecordID: holder.ID}
	if !fp.Matches(holder.Fingerprint) {
		return nil, out, gmailsend.Errorf(gmailsend.CodeIdempotencyConflict, "",
			"this idempotency key was already used with a different request")
	}
	switch {
	case holder.Stale(s.now()) && holder.MayHaveSent():
		// Its invocation died after content may have reached the server:
		// the outcome is unknown, and recorded so (at most once).
		settled, err := s.settleStale(ctx, holder)
		if err != nil {
			if errors.Is(err, gmailsend.ErrClaimLost) {
				e := gmailsend.Errorf(gmailsend.CodeIdempotencyInProgress, "", "a request with this idempotency key is being settled")
				e.RetryAfter = time.Second
				return nil, out, e
			}
			return nil, out, err
		}
		holder = settled
	}
	switch holder.Status {
	case gmailsend.StatusSending:
		wait := time.Until(holder.LeaseUntil).Round(time.Second)
		if wait < time.Second {
			wait = time.Second
		}
		e := gmailsend.Errorf(gmailsend.CodeIdempotencyInProgress, "", "a request with this idempotency key is still being sent")
		e.RetryAfter = wait
		return nil, out, e
	case gmailsend.StatusQueued, gmailsend.StatusScheduled:
		// The key's first request was accepted for the queue (POST
		// /messages) and is not sent yet: it will be, so this one waits.
		wait := 30 * time.Second
		if holder.ScheduledAt != nil && time.Until(*holder.ScheduledAt) > wait {
			wait = time.Until(*holder.ScheduledAt).Round(time.Second)
		}
		e := gmailsend.Errorf(gmailsend.CodeIdempotencyInProgress, "", "a request with this idempotency key is queued (message %s) and not sent yet", holder.ID)
		e.RetryAfter = wait
		return nil, out, e
	case gmailsend.StatusCancelled:
		return nil, out, gmailsend.Errorf(gmailsend.CodeIdempotencyConflict, "",
			"the request with this idempotency key (message %s) was cancelled; send it again with a new key", holder.ID)
	case gmailsend.StatusSent, gmailsend.StatusBounced, gmailsend.StatusDelayed:
		// Same fingerprint, same request: its recipients are the ones
		// the first send delivered to, so no address needs storing.
		mail, err := gmailsend.Validate(req, s.Limits)
		if err != nil {
			return nil, out, err
		}
		return &Result{Status: "sent", ID: holder.ID, MessageID: holder.MessageID, Accepted: mail.Recipients(), Replayed: true}, out, nil
	}
	code := holder.ErrorCode
	if code == "" {
		code = gmailsend.CodeInternal
	}
	return nil, out, &gmailsend.Error{Code: code, SMTP: holder.Reply, Err: ErrReplayed,
		Message: fmt.Sprintf("the first request with this idempotency key (message %s) ended with %s; it is not sent again", holder.ID, code)}
}
