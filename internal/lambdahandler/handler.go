package lambdahandler

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/gmailsend/gmailsend/internal/email"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// Options tune the handler.
type Options struct {
	// MaxRequestBytes bounds a request body before it is parsed.
	MaxRequestBytes int
	// BatchReserve is the time a batch keeps back: no new send starts when
	// less than this remains before the deadline, and the records left are
	// reported for retry.
	BatchReserve time.Duration
}

// DefaultOptions suit a 30-second function.
func DefaultOptions() Options {
	// Lambda's synchronous payload limit is 6 MB; a larger body cannot
	// arrive, and refusing it here keeps memory bounded for queues too.
	return Options{MaxRequestBytes: 6 << 20, BatchReserve: 5 * time.Second}
}

// Handler answers every event source the function is wired to.
type Handler struct {
	send *sender.Sender
	opts Options
	log  *slog.Logger
}

// New returns a Handler that logs with log.
func New(s *sender.Sender, opts Options, log *slog.Logger) *Handler {
	return &Handler{send: s, opts: opts, log: log}
}

// Invoke is the Lambda entry point.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	switch src := detect(payload); src {
	case sourceAPIGatewayV1:
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, functionError(email.Invalid("", "malformed API Gateway event"))
		}
		a := h.handleHTTP(ctx, src, ev.RequestContext.RequestID, ev.Body, ev.IsBase64Encoded)
		return events.APIGatewayProxyResponse{StatusCode: a.status, Headers: a.headers, Body: a.body}, nil
	case sourceAPIGatewayV2:
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, functionError(email.Invalid("", "malformed API Gateway event"))
		}
		a := h.handleHTTP(ctx, src, ev.RequestContext.RequestID, ev.Body, ev.IsBase64Encoded)
		return events.APIGatewayV2HTTPResponse{StatusCode: a.status, Headers: a.headers, Body: a.body}, nil
	case sourceSQS:
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, functionError(email.Invalid("", "malformed SQS event"))
		}
		return h.handleSQS(ctx, ev), nil
	case sourceSNS:
		return h.handleSNS(ctx, payload)
	case sourceEventBridge:
		return h.handleEventBridge(ctx, payload)
	default:
		res, err := h.sendOne(ctx, sourceDirect, "", payload)
		if err != nil {
			return nil, functionError(err)
		}
		return res, nil
	}
}

// sendOne sends one request body and logs it.
func (h *Handler) sendOne(ctx context.Context, src source, itemID string, body []byte) (*sender.Result, error) {
	start := time.Now()
	var (
		res *sender.Result
		out sender.Outcome
		err error
	)
	if len(body) > h.opts.MaxRequestBytes {
		err = email.Errorf(email.CodePayloadTooLarge, "", "request body is %d bytes; the limit is %d", len(body), h.opts.MaxRequestBytes)
	} else {
		res, out, err = h.send.Send(ctx, body)
	}
	h.logSend(ctx, src, itemID, out, err, start)
	return res, err
}

func (h *Handler) handleHTTP(ctx context.Context, src source, requestID, body string, isBase64 bool) httpAnswer {
	raw := []byte(body)
	if isBase64 {
		dec, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return answerError(email.Invalid("", "request body is marked base64 but is not valid base64"))
		}
		raw = dec
	}
	res, err := h.sendOne(ctx, src, requestID, raw)
	if err != nil {
		return answerError(err)
	}
	return answerOK(res)
}

// functionError is a Lambda function error whose type is the stable code,
// so a direct caller (or a failure destination) can branch on it.
func functionError(err error) error {
	e := email.AsError(err)
	return messages.InvokeResponse_Error{Type: string(e.Code), Message: e.Error()}
}
