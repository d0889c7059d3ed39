package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/jsonscan"
)

// Queueing is what queued and scheduled sends need (POST /messages, POST
// /messages/batch, DELETE /messages/{id}). Without Queue they are refused
// with store_not_configured; without Schedules, scheduledAt is.
type Queueing struct {
	Queue     gmailsend.Queue
	Schedules gmailsend.Schedules
	// Moves changes a record's status conditionally (the message table).
	Moves gmailsend.Transitions
	// MaxBatch is the most messages of one POST /messages/batch.
	MaxBatch int
	// MaxQueuedBytes is the send queue's MaximumMessageSize: a queued
	// request (its envelope) must fit.
	MaxQueuedBytes int
	// MinAhead and MaxAhead bound scheduledAt from now.
	MinAhead, MaxAhead time.Duration
}

// DefaultQueueing: batches of 100, SQS's 256 KiB messages, scheduling a
// minute to 30 days ahead.
func DefaultQueueing() Queueing {
	return Queueing{MaxBatch: 100, MaxQueuedBytes: 256 << 10, MinAhead: time.Minute, MaxAhead: 30 * 24 * time.Hour}
}

// Envelope is what a queued or scheduled send puts on the send queue: the
// record's id and the request as the caller wrote it (it holds no
// password or token: queued sends use stored credentials).
type Envelope struct {
	Queued  QueuedRef       `json:"gmailsendQueued"`
	Request json.RawMessage `json:"request"`
}

// QueuedRef names the message record a queued request belongs to.
type QueuedRef struct {
	ID string `json:"id"`
	// Fingerprint is the request's (gmailsend.Fingerprint): the consumer sends
	// only for a record of this same request, so a payload that an
	// earlier attempt left behind (the caller then corrected it under the
	// same idempotency key) is refused, never sent as the new one.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Until (Unix milliseconds) is when the record must exist: the accept
	// queues first and writes the record after, within its invocation.
	// A payload whose record is still absent after Until was left by an
	// accept that failed or died between the two (its caller had no 202),
	// and is dropped as an orphan.
	Until int64 `json:"until,omitempty"`
}

// maxInvocation is the longest a Lambda invocation may run: an accept
// still writing its record is past its deadline by then.
const maxInvocation = 15 * time.Minute

// recordDue is the envelope's Until. A scheduled send's depends only on
// its time, so a retried request builds the same schedule payload (the
// conflict's read-back compares it); its record is written long before
// (scheduledAt is at least MinAhead away and an invocation at most
// maxInvocation long). A queued send's is its accept's lease.
func (s *Sender) recordDue(ctx context.Context, now time.Time, at *time.Time) time.Time {
	if at != nil {
		return at.Add(maxInvocation)
	}
	if dl, ok := ctx.Deadline(); ok {
		return dl.Add(s.Durability.LeaseMargin)
	}
	return now.Add(maxInvocation)
}

// envelopeMarker is the key only an envelope has at its top level (a send
// request refuses unknown keys, so no request can look like one).
const envelopeMarker = "gmailsendQueued"

// DecodeEnvelope returns the envelope body holds, or false when body is
// not one (a plain send request on the queue). Body is an envelope when
// one of its top-level keys is exactly the marker: the text of a plain
// request (its message, its subject) may hold the word, and a plain
// request is not decoded twice for it.
func DecodeEnvelope(body []byte) (*Envelope, bool) {
	if !json.Valid(body) || !hasTopLevelKey(body, envelopeMarker) {
		return nil, false
	}
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Queued.ID == "" || len(env.Request) == 0 {
		return nil, false
	}
	return &env, true
}

// hasTopLevelKey reports whether valid, a JSON document, is an object with
// key among its own members (compared byte for byte once unquoted; a
// nested object's keys do not count).
func hasTopLevelKey(valid []byte, key string) bool {
	s := jsonscan.Scanner{B: valid}
	if s.Peek() != '{' {
		return false
	}
	s.Next()
	for s.Peek() == '"' {
		if jsonscan.Unquote(s.Str()) == key {
			return true
		}
		s.Next() // :
		s.Skip()
		s.SkipComma()
	}
	return false
}

// Accepted is the answer to a queued send: 202 with the record's id.
type Accepted struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	ScheduledAt *time.Time `json:"scheduledAt,omitempty"`
}

// prepared is a request checked and ready to be recorded and queued.
type prepared struct {
	req *gmailsend.Request
	rec *gmailsend.Record
	fp  gmailsend.Fingerprint
	env string
	// quota is the account's quota key and limits (quota.go's reserve
	// uses the same), for the headroom check.
	quota  string
	limits gmailsend.QuotaLimits
	// mailbox and mail are what the suppression check needs
	// (checkSendable runs it beside the headroom check).
	mailbox string
	mail    *gmailsend.Mail
}

// checkQueued runs every check that needs no sending, so a queued message
// fails now rather than in the queue: decoding, no inline secret,
// scheduledAt, the credential (exists, usable, this API key may use it),
// validation, relay policy and the queue's size limit; the two checks that
// ask the table (suppressions, quota headroom) follow in checkSendable.
// Fields of errors
// are prefixed with prefix ("messages[3].").
func (s *Sender) checkQueued(ctx context.Context, body []byte, o Origin, prefix string, allowKey bool) (*prepared, error) {
	req, err := gmailsend.DecodeRequest(body)
	if err != nil {
		return nil, prefixed(err, prefix)
	}
	if req.Password != "" || req.AccessToken != "" {
		field := "password"
		if req.Password == "" {
			field = "accessToken"
		}
		return nil, gmailsend.Invalid(prefix+field, "a queued or scheduled send never carries a password or token (it would be written to the queue); "+
			"store the credential (docs/credentials.md#stored-credentials) and name it in \"credential\", or use POST /send")
	}
	if req.IdempotencyKey != "" && !allowKey {
		return nil, gmailsend.Invalid(prefix+"idempotencyKey", "one idempotencyKey covers the whole batch; items may not have their own")
	}
	now := s.now()
	at, err := s.scheduledAt(req.ScheduledAt, now, prefix)
	if err != nil {
		return nil, err
	}
	// The fingerprint is of the request as the caller sent it, before
	// the credential fills in the account, as POST /send takes it: the
	// same body with the same key is the same request on both routes.
	fp, err := s.fingerprint(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := s.Templates.Expand(ctx, o.Caller, req); err != nil { // templates.go
		return nil, prefixed(err, prefix)
	}
	if req.Rendered != nil {
		// The queue carries the rendered request: the version sent is the
		// one accepted, whatever PUTs come meanwhile.
		if body, err = renderedBody(req); err != nil {
			return nil, err
		}
	}
	login, err := s.resolve(ctx, req, o.caller())
	if err != nil {
		return nil, prefixed(err, prefix)
	}
	mail, err := gmailsend.Validate(req, s.Limits)
	if err != nil {
		return nil, prefixed(err, prefix)
	}
	if err := s.Relay.Check(mail); err != nil {
		return nil, prefixed(err, prefix)
	}
	if req.WantsUnsubscribe() {
		if err := s.Unsubscribe.check(mail); err != nil { // unsubscribe.go
			return nil, prefixed(err, prefix)
		}
	}
	status := gmailsend.StatusQueued
	if at != nil {
		status = gmailsend.StatusScheduled
	}
	rec := &gmailsend.Record{
		ID: gmailsend.NewID(), Status: status, Account: gmailsend.AccountOf(login.Stored, login.User),
		Recipients: len(mail.Recipients()), CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(s.Durability.Retention),
		Fingerprint: fp.Value,
	}
	rec.Template, rec.TemplateVersion = req.Rendered.Ref()
	if at != nil {
		rec.ScheduledAt = at
		if keep := at.Add(s.Durability.Retention); keep.After(rec.ExpiresAt) {
			rec.ExpiresAt = keep
		}
	}
	ref := QueuedRef{ID: rec.ID, Fingerprint: fp.Value, Until: s.recordDue(ctx, now, at).UnixMilli()}
	env, err := json.Marshal(Envelope{Queued: ref, Request: json.RawMessage(bytes.TrimSpace(body))})
	if err != nil {
		return nil, err
	}
	if max := s.Queueing.MaxQueuedBytes; max > 0 && len(env) > max {
		return nil, gmailsend.Errorf(gmailsend.CodePayloadTooLarge, prefix, "a queued message may be at most %d bytes (the send queue's limit) and this one is %d; "+
			"send it with POST /send instead", max, len(env))
	}
	limits := s.Durability.Limits
	if login.Limits.DailyMessages > 0 {
		limits.Messages = login.Limits.DailyMessages
	}
	if login.Limits.DailyRecipients > 0 {
		limits.Recipients = login.Limits.DailyRecipients
	}
	return &prepared{req: req, rec: rec, fp: fp, env: string(env), quota: gmailsend.AccountOf("", login.User), limits: limits,
		mailbox: login.User, mail: mail}, nil
}

// withID re-points p's record and envelope at id (an idempotency key's).
func (p *prepared) withID(id string) {
	var env Envelope
	_ = json.Unmarshal([]byte(p.env), &env)
	env.Queued.ID, p.rec.ID = id, id
	b, _ := json.Marshal(env)
	p.env = string(b)
}

// scheduledAt parses the field: RFC 3339 with an offset, within the
// configured window from now. Empty means send now.
func (s *Sender) scheduledAt(v string, now time.Time, prefix string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	field := prefix + "scheduledAt"
	if s.Queueing.Schedules == nil {
		return nil, gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, field, "scheduled sends need SCHEDULE_GROUP, SCHEDULER_ROLE_ARN and SEND_QUEUE_ARN")
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, gmailsend.Invalid(field, "must be an RFC 3339 time with an offset, e.g. 2026-11-24T09:00:00+09:00")
	}
	q := s.Queueing
	if !at.After(now) {
		return nil, timeCame(gmailsend.Invalid(field, "%s is in the past (now is %s); send now by leaving scheduledAt out", at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	if at.Before(now.Add(q.MinAhead)) {
		return nil, timeCame(gmailsend.Invalid(field, "must be at least %s ahead; send now by leaving scheduledAt out", q.MinAhead))
	}
	if at.After(now.Add(q.MaxAhead)) {
		return nil, gmailsend.Invalid(field, "must be at most %s ahead", q.MaxAhead)
	}
	at = at.UTC()
	return &at, nil
}

// prefixed returns err with prefix put before its field, so a batch item's
// error names it as messages[3].toEmail.
// errTimeCame marks a scheduledAt refused only because time has passed
// since an earlier attempt of the request may have been accepted.
var errTimeCame = errors.New("sender: scheduledAt has come too close")

func timeCame(e *gmailsend.Error) *gmailsend.Error {
	e.Err = errTimeCame
	return e
}

func prefixed(err error, prefix string) error {
	if prefix == "" {
		return err
	}
	var e *gmailsend.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	if c.Field == "" {
		c.Field = prefix[:len(prefix)-1]
	} else {
		c.Field = prefix + c.Field
	}
	return &c
}

// queueingReady refuses queued sends in a deployment without the queue
// or the table.
func (s *Sender) queueingReady() error {
	if s.Records == nil || s.Queueing.Queue == nil || s.Queueing.Moves == nil {
		return gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "queued sends need MESSAGES_TABLE and SEND_QUEUE_URL")
	}
	return nil
}
