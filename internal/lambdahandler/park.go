package lambdahandler

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gmailsend/gmailsend"
)

// A send request may carry an inline password or access token. Whatever
// fails for good is kept in the dead-letter queue for 14 days: SQS moves a
// queue record there as it is after its last receive, and Lambda copies an
// EventBridge or SNS event, secret and all, into its failure destination
// record. So a failure that would put a secret there is parked instead:
// the function puts a copy without the secret on the dead-letter queue
// itself (the alarm and the runbook still see it) and tells SQS or Lambda
// the record is done. The copy names what was removed
// ("gmailsendStripped"), so a redrive of it fails visibly instead of
// sending without the secret.

// StrippedField marks an object a secret was removed from.
const StrippedField = "gmailsendStripped"

// secretFields are the members stripSecrets removes, compared without case
// (a request refuses "Password", but the value is still a password).
var secretFields = []string{"password", "accessToken"}

// stripSecrets returns body without any password or accessToken member,
// at any depth and inside strings that hold JSON (an SNS Message, an
// EventBridge detail sent as a string); each object it changed gets
// StrippedField listing what went. had reports a removed non-empty value.
// A body that is not JSON cannot be stripped: it is returned nil, with had
// true when it mentions a secret's name.
func stripSecrets(body []byte) (stripped []byte, had bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		lower := bytes.ToLower(body)
		return nil, bytes.Contains(lower, []byte("password")) || bytes.Contains(lower, []byte("accesstoken"))
	}
	v, had = strip(v)
	out, err := json.Marshal(v)
	if err != nil {
		return nil, true
	}
	return out, had
}

func strip(v any) (any, bool) {
	had := false
	switch x := v.(type) {
	case map[string]any:
		var removed []any
		for k, c := range x {
			if isSecretField(k) {
				if s, ok := c.(string); !ok || s != "" {
					had = true
				}
				delete(x, k)
				removed = append(removed, k)
				continue
			}
			var h bool
			x[k], h = strip(c)
			had = had || h
		}
		if len(removed) > 0 {
			x[StrippedField] = removed
		}
	case []any:
		for i, c := range x {
			var h bool
			x[i], h = strip(c)
			had = had || h
		}
	case string:
		if t := strings.TrimSpace(x); strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
			if inner, h := stripSecrets([]byte(t)); h {
				return string(inner), true
			}
		}
	}
	return v, had
}

func isSecretField(k string) bool {
	for _, f := range secretFields {
		if strings.EqualFold(k, f) {
			return true
		}
	}
	return false
}

// lastReceive reports whether SQS moves r to the dead-letter queue if this
// receive fails (ApproximateReceiveCount has reached maxReceiveCount).
func (h *Handler) lastReceive(r events.SQSMessage) bool {
	n := 0
	for _, c := range r.Attributes["ApproximateReceiveCount"] {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return h.opts.MaxReceives > 0 && n >= h.opts.MaxReceives
}

// parkSQS parks a failed queue record on its last receive when its body
// holds a secret, and reports whether it did (then it is not reported
// failed: SQS deletes it instead of moving it with the secret).
func (h *Handler) parkSQS(ctx context.Context, r events.SQSMessage, body []byte, cause error) bool {
	if h.opts.Park == nil || !h.lastReceive(r) {
		return false
	}
	stripped, had := stripSecrets(body)
	if !had {
		return false
	}
	if stripped == nil {
		stripped, _ = json.Marshal(map[string]any{StrippedField: []string{"the whole body: it was not JSON and may hold a secret"}})
	}
	return h.park(ctx, sourceSQS, r.MessageId, stripped, cause)
}

// parkEvent parks a failed asynchronous event (EventBridge, SNS) whose
// payload holds a secret, shaped as Lambda's failure destination record so
// that a redrive treats it as one, and reports whether it did (then the
// invocation succeeds: Lambda neither retries it nor writes its own
// record with the secret).
func (h *Handler) parkEvent(ctx context.Context, src source, itemID string, payload []byte, cause error) bool {
	if h.opts.Park == nil {
		return false
	}
	stripped, had := stripSecrets(payload)
	if !had || stripped == nil {
		return false
	}
	e := gmailsend.AsError(cause)
	rec := destinationRecord{Version: "1.0", Timestamp: time.Now().UTC().Format(time.RFC3339Nano), RequestPayload: stripped}
	rec.RequestContext.Condition = "RetriesExhausted"
	rec.RequestContext.ApproximateInvokeCount = 1
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		rec.RequestContext.RequestID, rec.RequestContext.FunctionArn = lc.AwsRequestID, lc.InvokedFunctionArn
	}
	rec.ResponseContext.StatusCode, rec.ResponseContext.FunctionError = 200, "Unhandled"
	rec.ResponsePayload, _ = json.Marshal(map[string]string{"errorType": string(e.Code), "errorMessage": e.Error()})
	body, err := json.Marshal(rec)
	if err != nil {
		return false
	}
	return h.park(ctx, src, itemID, body, cause)
}

// park puts body on the dead-letter queue. A park that fails is logged and
// the record fails as it would have: losing it would be worse.
func (h *Handler) park(ctx context.Context, src source, itemID string, body []byte, cause error) bool {
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, itemID)
	if id == "" || len(id) > 80 {
		id = "parked"
	}
	if f := h.opts.Park.Enqueue(ctx, []gmailsend.QueueMessage{{ID: id, Body: string(body)}}); len(f) > 0 {
		h.log.ErrorContext(ctx, "park", "source", string(src), "itemId", itemID, "outcome", string(gmailsend.CodeOf(cause)),
			"error", "could not put the record without its secret on the dead-letter queue: "+f[0].Err.Error())
		return false
	}
	h.log.WarnContext(ctx, "parked", "source", string(src), "itemId", itemID, "outcome", string(gmailsend.CodeOf(cause)),
		"reason", "failed with an inline secret; put on the dead-letter queue without it")
	return true
}
