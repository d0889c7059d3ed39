package lambdahandler

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/email"
)

// handleAPIGatewayV1 answers a REST API (payload format 1.0) request.
func (h *Handler) handleAPIGatewayV1(ctx context.Context, payload []byte) (any, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, functionError(email.Invalid("", "malformed API Gateway event"))
	}
	a := h.handleHTTP(ctx, sourceAPIGatewayV1, ev.RequestContext.RequestID, ev.Body, ev.IsBase64Encoded)
	return events.APIGatewayProxyResponse{StatusCode: a.status, Headers: a.headers, Body: a.body}, nil
}

// handleAPIGatewayV2 answers an HTTP API (payload format 2.0) request.
func (h *Handler) handleAPIGatewayV2(ctx context.Context, payload []byte) (any, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, functionError(email.Invalid("", "malformed API Gateway event"))
	}
	a := h.handleHTTP(ctx, sourceAPIGatewayV2, ev.RequestContext.RequestID, ev.Body, ev.IsBase64Encoded)
	return events.APIGatewayV2HTTPResponse{StatusCode: a.status, Headers: a.headers, Body: a.body}, nil
}

// handleHTTP is what both API Gateway versions share: the body (base64 when
// API Gateway says so) is the send request; the answer is status and JSON.
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
