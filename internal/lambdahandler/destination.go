package lambdahandler

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
)

// destinationRecord is what Lambda writes to an on-failure destination when
// an asynchronous invocation (EventBridge, SNS, an Event-type invoke) has
// used up its retries: the original event in requestPayload, the last
// error in responsePayload. The template sends these to the send queue's
// dead-letter queue, so `aws sqs start-message-move-task` brings them back
// to the send queue as SQS message bodies.
type destinationRecord struct {
	Version        string `json:"version"`
	Timestamp      string `json:"timestamp"`
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError"`
	} `json:"responseContext"`
	ResponsePayload json.RawMessage `json:"responsePayload"`
}

// isDestinationRecord recognises the record by its exact top-level keys, as
// detect does for envelopes; a send request never has these.
func isDestinationRecord(payload []byte) bool {
	// Most bodies are send requests: look before decoding (which would
	// copy every top-level value, a whole attachment included).
	if !bytes.Contains(payload, []byte(`"requestPayload"`)) {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(payload, &top) != nil {
		return false
	}
	for _, k := range []string{"version", "requestContext", "requestPayload", "responseContext"} {
		if _, ok := top[k]; !ok {
			return false
		}
	}
	return true
}

// resend is one send request recovered from a destination record, with the
// source and item id of the original event: the EventBridge event id or
// SNS MessageId stays the same across redrives, so a message store can
// recognise a message it already sent.
type resend struct {
	src  source
	id   string
	body []byte
}

// unwrapDestination returns the send requests in a destination record's
// original event. Only sources that invoke asynchronously can appear.
func unwrapDestination(payload []byte) ([]resend, error) {
	var rec destinationRecord
	if err := json.Unmarshal(payload, &rec); err != nil {
		return nil, gmailsend.Invalid("", "malformed Lambda destination record")
	}
	inner := bytes.TrimSpace(rec.RequestPayload)
	if len(inner) == 0 || bytes.Equal(inner, []byte("null")) {
		return nil, gmailsend.Invalid("requestPayload", "the destination record carries no original event")
	}
	switch src := detect(inner); src {
	case sourceEventBridge:
		var ev events.EventBridgeEvent
		if err := json.Unmarshal(inner, &ev); err != nil {
			return nil, gmailsend.Invalid("requestPayload", "malformed EventBridge event in the destination record")
		}
		return []resend{{src: src, id: ev.ID, body: ev.Detail}}, nil
	case sourceSNS:
		var ev events.SNSEvent
		if err := json.Unmarshal(inner, &ev); err != nil {
			return nil, gmailsend.Invalid("requestPayload", "malformed SNS event in the destination record")
		}
		out := make([]resend, 0, len(ev.Records))
		for _, r := range ev.Records {
			out = append(out, resend{src: src, id: r.SNS.MessageID, body: []byte(r.SNS.Message)})
		}
		return out, nil
	case sourceDirect:
		if isDestinationRecord(inner) {
			return nil, gmailsend.Invalid("requestPayload", "a destination record inside a destination record")
		}
		// An Event-type invoke of the send request itself: the original
		// request id is its stable identity.
		return []resend{{src: src, id: rec.RequestContext.RequestID, body: inner}}, nil
	default:
		return nil, gmailsend.Invalid("requestPayload", "a %s event is never invoked asynchronously, so it cannot be in a destination record", src)
	}
}

// redrive sends every request of a destination record through the normal
// path and returns the first failure.
func (h *Handler) redrive(ctx context.Context, payload []byte) (int, error) {
	resends, err := unwrapDestination(payload)
	if err != nil {
		// Refused before any send, so sendOne logs nothing: say why here.
		e := gmailsend.AsError(err)
		h.log.WarnContext(ctx, "destination record refused", "outcome", string(e.Code), "field", e.Field, "reason", e.Message)
		return 0, err
	}
	sent := 0
	for _, r := range resends {
		if _, err := h.sendOne(ctx, r.src, r.id, r.body); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// handleDestination answers a destination record invoked directly (a
// Lambda-type destination, or an operator's `aws lambda invoke`): like
// the asynchronous sources, a failure is a function error.
func (h *Handler) handleDestination(ctx context.Context, payload []byte) (any, error) {
	sent, err := h.redrive(ctx, payload)
	if err != nil {
		return nil, functionError(err)
	}
	return map[string]int{"sent": sent}, nil
}
